// Checks package.json against the code: contributed commands and settings.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ExtensionCommands, compileErrorsModes } from "../src/config";
import { serverCommandNames } from "../src/lsp_ext";

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "package.json"), "utf8")) as {
  main: string;
  scripts: Record<string, string>;
  contributes: { commands: { command: string; title: string }[]; configuration: { properties: Record<string, { properties?: Record<string, unknown> }> } };
};

test("every extension command is contributed, and none takes a server command's name", () => {
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values(ExtensionCommands).sort());
  for (const c of contributed) {
    // The language client registers the server's commands under their own
    // names; a second registration would fail activation.
    assert.ok(!serverCommandNames.includes(c), `${c} is also a server command`);
  }
  const titles = pkg.contributes.commands.map((c) => c.title);
  for (const t of ["Check workspace", "Run integration for this module", "Restart server"]) {
    assert.ok(titles.includes(t), `no command titled ${t}`);
  }
});

test("settings: path, generated rules, the sandbox's network, compile errors, trace", () => {
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props), ["modls.path", "modls.rules", "modls.sandbox.network", "modls.compileErrors", "modls.trace.server"]);
  const ce = props["modls.compileErrors"] as unknown as { enum: string[]; default: string };
  assert.deepEqual(ce.enum, [...compileErrorsModes]);
  assert.equal(ce.default, "auto");
  const ruleIDs = Object.keys(props["modls.rules"]!.properties ?? {});
  assert.equal(ruleIDs.length, 12);
  assert.ok(ruleIDs.every((id) => /^MOD\d{3}$/.test(id)));
});

test("the bundle is what package.json loads", () => {
  assert.ok(pkg.scripts.bundle!.includes(`--outfile=${pkg.main.replace(/^\.\//, "")}`), pkg.scripts.bundle);
  assert.ok(pkg.scripts.bundle!.includes("--external:vscode"));
});

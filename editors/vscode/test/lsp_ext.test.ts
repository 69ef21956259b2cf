// Keeps lsp_ext.ts in step with the Go declarations it mirrors, read from
// the repository's source.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
  ServerCommands,
  checkDiagnosticFields,
  commandArgsFields,
  commandResultFields,
  sandboxCheckFields,
  sandboxResultFields,
  serverCommandNames,
} from "../src/lsp_ext";

// This file runs from out/test/.
const repo = path.resolve(__dirname, "..", "..", "..", "..");

function goSource(rel: string): string {
  return fs.readFileSync(path.join(repo, ...rel.split("/")), "utf8");
}

// structTags lists the JSON names of a Go struct's fields.
function structTags(src: string, name: string): string[] {
  const m = new RegExp(`type ${name} struct \\{([\\s\\S]*?)\\n\\}`).exec(src);
  assert.ok(m, `type ${name} struct not found`);
  return [...m[1]!.matchAll(/`json:"([^",]+)[^"]*"`/g)].map((x) => x[1]!).filter((n) => n !== "-");
}

test("server command names are those of lsp/commands.go's command table", () => {
  const src = goSource("lsp/commands.go");
  const consts = new Map<string, string>();
  for (const m of src.matchAll(/^\s*(cmd\w+)\s*=\s*"([^"]+)"/gm)) {
    consts.set(m[1]!, m[2]!);
  }
  const table = /var commandTable = \[\]command\{([\s\S]*?)\n\}/.exec(src);
  assert.ok(table, "commandTable not found in lsp/commands.go");
  const names = [...table[1]!.matchAll(/Name:\s*(\w+|"[^"]+")/g)].map((m) => {
    const v = m[1]!;
    return v.startsWith('"') ? v.slice(1, -1) : consts.get(v);
  });
  assert.ok(names.length > 0, "no Name in commandTable");
  assert.deepEqual([...names].sort(), [...serverCommandNames].sort());
  assert.equal(ServerCommands.runIntegration, consts.get("cmdIntegration"));
});

test("command argument and result fields match lsp/commands.go", () => {
  const src = goSource("lsp/commands.go");
  assert.deepEqual(structTags(src, "commandArgs"), [...commandArgsFields]);
  assert.deepEqual(structTags(src, "commandResult"), [...commandResultFields]);
});

test("check JSON fields match checker/diagnostic.go", () => {
  assert.deepEqual(structTags(goSource("checker/diagnostic.go"), "Diagnostic"), [...checkDiagnosticFields]);
});

test("sandbox JSON fields match sandbox/sandbox.go", () => {
  const src = goSource("sandbox/sandbox.go");
  assert.deepEqual(structTags(src, "Check"), [...sandboxCheckFields]);
  assert.deepEqual(structTags(src, "Result"), [...sandboxResultFields]);
});

import { strict as assert } from "node:assert";
import * as path from "node:path";
import { test } from "node:test";
import type { SandboxResult } from "../src/lsp_ext";
import {
  checkSummary,
  checkToDiagnostics,
  commandOutcome,
  moduleDirOf,
  moduleNameOf,
  parseCheckOutput,
  sandboxToTestItems,
  utf16Column,
} from "../src/results";

// Output of `modls check --format json` in a workspace /ws (two findings in
// one file, one with related information, one in a manifest).
const checkJSON = JSON.stringify({
  diagnostics: [
    {
      rule: "MOD002", severity: "warning", file: "modules/standard/ledger/service.go", line: 54, column: 20, end_line: 54, end_column: 23,
      message: "exported method Sum of service ledger.totals has no ServiceMethod entry", url: "https://example.test/MOD002.md",
      related: [{ file: "modules/standard/ledger/module.go", line: 30, column: 5, end_line: 30, end_column: 5, message: "ledger.totals is registered here" }],
      fixes: [{ message: "Add ServiceMethod entries", edits: [] }],
    },
    {
      rule: "MOD008", severity: "error", file: "modules/standard/ledger/service.go", line: 3, column: 10, end_line: 3, end_column: 15,
      message: "panic in module code", fixes: null,
    },
    {
      rule: "MOD012", severity: "info", file: "modules/standard/ledger/manifest.json", line: 4, column: 3, end_line: 4, end_column: 3,
      message: "unknown feature \"queue\"", fixes: [],
    },
  ],
});

test("check JSON becomes diagnostics per absolute file, 0-based, with code, severity and related places", () => {
  const byFile = checkToDiagnostics(parseCheckOutput(checkJSON), "/ws");
  const service = path.join("/ws", "modules", "standard", "ledger", "service.go");
  assert.deepEqual([...byFile.keys()], [service, path.join("/ws", "modules", "standard", "ledger", "manifest.json")]);
  const [mod002, mod008] = byFile.get(service)!;
  assert.deepEqual(mod002, {
    range: { start: { line: 53, character: 19 }, end: { line: 53, character: 22 } },
    severity: "warning",
    code: "MOD002",
    url: "https://example.test/MOD002.md",
    message: "exported method Sum of service ledger.totals has no ServiceMethod entry",
    related: [{
      file: path.join("/ws", "modules", "standard", "ledger", "module.go"),
      range: { start: { line: 29, character: 4 }, end: { line: 29, character: 4 } },
      message: "ledger.totals is registered here",
    }],
  });
  assert.equal(mod008!.severity, "error");
  assert.deepEqual(mod008!.related, []);
  assert.equal(checkSummary(byFile), "modls check: 1 error, 1 warning, 1 info in 2 files");
  assert.equal(checkSummary(new Map()), "modls check: no problems");
});

test("byte columns become UTF-16 columns using the line's text", () => {
  // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 units.
  const line = 'x := "é𝄞" + Foo()';
  const fooByte = Buffer.from(line.slice(0, line.indexOf("Foo")), "utf8").length + 1;
  assert.equal(utf16Column(line, fooByte), line.indexOf("Foo"));
  assert.equal(utf16Column(line, 1), 0);
  assert.equal(utf16Column(undefined, 7), 6);
  // Past the end of the line (the newline position) stays past it.
  assert.equal(utf16Column("ab", 4), 3);
  const out = parseCheckOutput(JSON.stringify({ diagnostics: [{ rule: "MOD006", severity: "error", file: "a.go", line: 2, column: fooByte, end_line: 2, end_column: fooByte + 3, message: "m", fixes: [] }] }));
  const byFile = checkToDiagnostics(out, "/ws", (file, n) => (file === path.join("/ws", "a.go") && n === 2 ? line : undefined));
  const d = byFile.get(path.join("/ws", "a.go"))![0]!;
  assert.deepEqual(d.range, { start: { line: 1, character: 13 }, end: { line: 1, character: 16 } });
});

test("output that is not check JSON is an error", () => {
  assert.throws(() => parseCheckOutput("modls: no go.mod"), /printed no JSON/);
  assert.throws(() => parseCheckOutput("{}"), /without a "diagnostics" list/);
});

const sandbox: SandboxResult = {
  module: "standard.audit",
  set: ["standard.audit"],
  checks: [
    { name: "module loads", status: "pass", duration_ns: 12_000_000 },
    { name: "GET /api/v1/audit/status answers 200", status: "fail", duration_ns: 3_400_000, message: "got 500: boom", file: "/ws/modules/standard/audit/api.go", line: 41 },
    { name: "integration tests", status: "skip", duration_ns: 0, message: "no integration tests" },
  ],
  passed: false,
  duration_ns: 2_100_000_000,
  phases: [{ name: "build", duration_ns: 1_000_000_000 }],
  isolation: {
    layers: [{ name: "pid namespace", status: "in force" }, { name: "cgroup", status: "unavailable", detail: "no delegated cgroup v2" }],
    uid: 65534,
    gid: 65534,
    network: false,
    limits: { memory: 1 << 30, processes: 512, disk: 512 << 20, output: 16 << 20 },
  },
};

test("a sandbox result becomes the module's integration item with a child per check", () => {
  const items = sandboxToTestItems("/ws/modules/standard/audit", sandbox);
  assert.equal(items.id, "integration:/ws/modules/standard/audit");
  assert.equal(items.status, "failed");
  assert.equal(items.durationMs, 2100);
  assert.equal(items.summary, "integration of standard.audit failed: 1 of 3 checks failed");
  assert.deepEqual(items.children, [
    { id: "integration:/ws/modules/standard/audit/module loads", label: "module loads", status: "passed", durationMs: 12 },
    {
      id: "integration:/ws/modules/standard/audit/GET /api/v1/audit/status answers 200", label: "GET /api/v1/audit/status answers 200",
      status: "failed", durationMs: 3, message: "got 500: boom", file: "/ws/modules/standard/audit/api.go", line: 41,
    },
    { id: "integration:/ws/modules/standard/audit/integration tests", label: "integration tests", status: "skipped", durationMs: 0, message: "no integration tests" },
  ]);
  const ok = sandboxToTestItems("/ws/modules/standard/audit", { ...sandbox, passed: true, checks: [sandbox.checks![0]!] });
  assert.equal(ok.summary, "integration of standard.audit passed: 1 check in 2.1 s");
  assert.deepEqual(sandboxToTestItems("/d", { ...sandbox, checks: null }).children, []);
});

test("server command results map to the item they concern", () => {
  const dir = "/ws/modules/standard/audit";
  assert.deepEqual(commandOutcome("modls.runIntegration", { dir }, { ok: true, summary: "✓ integration 2.1 s" }), {
    itemID: `integration:${dir}`, kind: "integration", dir, status: "passed", summary: "✓ integration 2.1 s",
  });
  assert.deepEqual(commandOutcome("modls.runTests", { dir }, { ok: false, summary: "2 failed" }), {
    itemID: `unit:${dir}`, kind: "unit", dir, status: "failed", summary: "2 failed",
  });
  assert.deepEqual(commandOutcome("modls.runTests", { dir, test: "TestTrack" }, new Error("build failed")), {
    itemID: `test:${dir}:TestTrack`, kind: "test", dir, test: "TestTrack", status: "failed", summary: "build failed",
  });
  assert.equal(commandOutcome("modls.validateModule", { dir }, { ok: true, summary: "" }).kind, "validate");
});

test("a file's module is the modules/<type>/<name> directory holding manifest.json", () => {
  const manifests = new Set([path.join("/ws", "modules", "standard", "audit", "manifest.json")]);
  const exists = (f: string) => manifests.has(f);
  const dir = path.join("/ws", "modules", "standard", "audit");
  assert.equal(moduleDirOf(path.join(dir, "service.go"), exists), dir);
  assert.equal(moduleDirOf(path.join(dir, "contract", "contract.go"), exists), dir);
  assert.equal(moduleDirOf(path.join(dir, "manifest.json"), exists), dir);
  assert.equal(moduleDirOf(path.join("/ws", "modules", "standard", "other", "x.go"), exists), undefined);
  assert.equal(moduleDirOf(path.join("/ws", "main.go"), exists), undefined);
});

test("a module's name comes from its manifest, else its directory", () => {
  assert.equal(moduleNameOf("/ws/modules/standard/audit", '{"name": "standard.audit2"}'), "standard.audit2");
  assert.equal(moduleNameOf("/ws/modules/standard/audit", "{not json"), "standard.audit");
  assert.equal(moduleNameOf("/ws/modules/legacy/alerts", undefined), "legacy.alerts");
});

// Turning modls's outputs into what the editor shows, without the editor:
// `modls check --format json` into diagnostics per file, a sandbox run into
// test items, a file into the module it belongs to. commands.ts and
// testing.ts turn these plain values into VS Code objects.

import * as path from "path";
import type { CheckDiagnostic, CheckOutput, CommandResult, SandboxResult } from "./lsp_ext";
import type { Severity } from "./config";

export interface Position {
  line: number; // 0-based
  character: number; // 0-based, UTF-16 code units
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedSpec {
  file: string;
  range: Range;
  message: string;
}

export interface DiagnosticSpec {
  range: Range;
  severity: Severity;
  code: string;
  url?: string;
  message: string;
  related: RelatedSpec[];
}

// LineText gives the text of a 1-based line of a file, if it can be read;
// it is used to turn byte columns into UTF-16 ones.
export type LineText = (file: string, line: number) => string | undefined;

// utf16Column converts a 1-based byte column of a line into a 0-based
// UTF-16 character offset. Without the line's text, bytes are taken as
// characters (exact for ASCII).
export function utf16Column(text: string | undefined, byteColumn: number): number {
  const bytes = Math.max(0, byteColumn - 1);
  if (text === undefined) {
    return bytes;
  }
  let b = 0;
  let units = 0;
  for (const ch of text) {
    if (b >= bytes) {
      break;
    }
    const cp = ch.codePointAt(0) ?? 0;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    units += ch.length;
  }
  if (b < bytes) {
    // A column past the end of the line (the newline) stays past it.
    units += bytes - b;
  }
  return units;
}

function toRange(file: string, line: number, col: number, endLine: number, endCol: number, lineText?: LineText): Range {
  const l = Math.max(1, line || 1);
  const el = Math.max(l, endLine || l);
  const start = { line: l - 1, character: utf16Column(lineText?.(file, l), col || 1) };
  let end = { line: el - 1, character: utf16Column(lineText?.(file, el), endCol || col || 1) };
  if (end.line === start.line && end.character < start.character) {
    end = { ...start };
  }
  return { start, end };
}

function severityOf(s: string): Severity {
  return s === "warning" || s === "info" ? s : "error";
}

// parseCheckOutput reads `modls check --format json` output.
export function parseCheckOutput(stdout: string): CheckOutput {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`modls check printed no JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== "object" || !Array.isArray((v as { diagnostics?: unknown }).diagnostics)) {
    throw new Error('modls check printed JSON without a "diagnostics" list');
  }
  return v as CheckOutput;
}

// checkToDiagnostics groups the findings by absolute file name; cwd is the
// directory modls check ran in (its file names are relative to it).
export function checkToDiagnostics(out: CheckOutput, cwd: string, lineText?: LineText): Map<string, DiagnosticSpec[]> {
  const byFile = new Map<string, DiagnosticSpec[]>();
  const abs = (f: string) => (path.isAbsolute(f) ? f : path.join(cwd, ...f.split("/")));
  for (const d of out.diagnostics as CheckDiagnostic[]) {
    const file = abs(d.file);
    const spec: DiagnosticSpec = {
      range: toRange(file, d.line, d.column, d.end_line, d.end_column, lineText),
      severity: severityOf(d.severity),
      code: d.rule,
      message: d.message,
      related: (d.related ?? []).map((r) => {
        const rf = abs(r.file);
        return { file: rf, range: toRange(rf, r.line, r.column, r.end_line, r.end_column, lineText), message: r.message };
      }),
    };
    if (d.url) {
      spec.url = d.url;
    }
    const list = byFile.get(file) ?? [];
    list.push(spec);
    byFile.set(file, list);
  }
  return byFile;
}

// checkSummary is the one line reported after a check.
export function checkSummary(byFile: Map<string, DiagnosticSpec[]>): string {
  let n = 0;
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const list of byFile.values()) {
    for (const d of list) {
      n++;
      bySeverity[d.severity]++;
    }
  }
  if (n === 0) {
    return "modls check: no problems";
  }
  const parts = (["error", "warning", "info"] as Severity[])
    .filter((s) => bySeverity[s] > 0)
    .map((s) => `${bySeverity[s]} ${s}${bySeverity[s] === 1 || s === "info" ? "" : "s"}`);
  return `modls check: ${parts.join(", ")} in ${byFile.size} file${byFile.size === 1 ? "" : "s"}`;
}

export type TestStatus = "passed" | "failed" | "skipped";

export interface TestItemSpec {
  id: string;
  label: string;
  status: TestStatus;
  durationMs: number;
  message?: string;
  file?: string;
  line?: number; // 1-based
}

export interface SandboxItems {
  // id and label of the module's integration item.
  id: string;
  label: string;
  status: TestStatus;
  durationMs: number;
  summary: string;
  children: TestItemSpec[];
}

const ms = (ns: number | undefined) => Math.round((ns ?? 0) / 1e6);

export function integrationItemID(moduleDir: string): string {
  return `integration:${moduleDir}`;
}

export function unitItemID(moduleDir: string): string {
  return `unit:${moduleDir}`;
}

export function testItemID(packageDir: string, test: string): string {
  return `test:${packageDir}:${test}`;
}

// sandboxToTestItems maps `modls sandbox --json` output to the module's
// integration item and one child per check.
export function sandboxToTestItems(moduleDir: string, r: SandboxResult): SandboxItems {
  const parent = integrationItemID(moduleDir);
  const children: TestItemSpec[] = (r.checks ?? []).map((c) => {
    const status: TestStatus = c.status === "pass" ? "passed" : c.status === "skip" ? "skipped" : "failed";
    const item: TestItemSpec = { id: `${parent}/${c.name}`, label: c.name, status, durationMs: ms(c.duration_ns) };
    if (c.message) {
      item.message = c.message;
    }
    if (c.file) {
      item.file = c.file;
      if (c.line) {
        item.line = c.line;
      }
    }
    return item;
  });
  const failed = children.filter((c) => c.status === "failed").length;
  const passed = children.filter((c) => c.status === "passed").length;
  const secs = (ms(r.duration_ns) / 1000).toFixed(1);
  const summary = r.passed
    ? `integration of ${r.module} passed: ${passed} check${passed === 1 ? "" : "s"} in ${secs} s`
    : `integration of ${r.module} failed: ${failed} of ${children.length} check${children.length === 1 ? "" : "s"} failed`;
  return {
    id: parent,
    label: "integration (sandbox)",
    status: r.passed ? "passed" : "failed",
    durationMs: ms(r.duration_ns),
    summary,
    children,
  };
}

// RunOutcome is a finished server command, for the status bar and the
// Testing view.
export interface RunOutcome {
  itemID: string;
  kind: "unit" | "integration" | "test" | "validate";
  dir: string;
  test?: string;
  status: TestStatus;
  summary: string;
}

// commandOutcome maps a server command's result (or its error) to the
// item it concerns.
export function commandOutcome(command: string, args: { dir: string; test?: string }, result: CommandResult | Error): RunOutcome {
  let kind: RunOutcome["kind"];
  let itemID: string;
  if (command === "modls.runIntegration") {
    kind = "integration";
    itemID = integrationItemID(args.dir);
  } else if (command === "modls.validateModule") {
    kind = "validate";
    itemID = `validate:${args.dir}`;
  } else if (args.test) {
    kind = "test";
    itemID = testItemID(args.dir, args.test);
  } else {
    kind = "unit";
    itemID = unitItemID(args.dir);
  }
  const out: RunOutcome = result instanceof Error
    ? { itemID, kind, dir: args.dir, status: "failed", summary: result.message }
    : { itemID, kind, dir: args.dir, status: result.ok ? "passed" : "failed", summary: result.summary };
  if (args.test) {
    out.test = args.test;
  }
  return out;
}

// moduleDirOf is the framework module directory (modules/<type>/<name>,
// holding a manifest.json) that file belongs to, or undefined.
export function moduleDirOf(file: string, exists: (file: string) => boolean): string | undefined {
  const parts = file.split(/[\\/]/);
  for (let i = parts.length - 3; i >= 0; i--) {
    if (parts[i] !== "modules" || i + 2 >= parts.length) {
      continue;
    }
    const dir = parts.slice(0, i + 3).join(path.sep);
    if (dir !== file && exists(path.join(dir, "manifest.json"))) {
      return dir;
    }
  }
  return undefined;
}

// moduleNameOf is the module's name from its manifest's "name", else
// "<type>.<name>" from its directory.
export function moduleNameOf(dir: string, manifest: string | undefined): string {
  if (manifest !== undefined) {
    try {
      const m = JSON.parse(manifest) as { name?: unknown };
      if (typeof m.name === "string" && m.name !== "") {
        return m.name;
      }
    } catch {
      // A malformed manifest falls back to the directory.
    }
  }
  return `${path.basename(path.dirname(dir))}.${path.basename(dir)}`;
}

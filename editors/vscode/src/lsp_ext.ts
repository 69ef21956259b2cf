// The parts of modls's protocol that are not plain LSP: the commands of
// workspace/executeCommand, their argument and result, and the JSON the
// command line prints. Each declaration mirrors a Go declaration named in
// its comment; test/lsp_ext.test.ts reads those Go sources and fails when
// the two disagree.

// ServerCommands are the names of the server's workspace/executeCommand
// commands (lsp/commands.go: the cmd* constants and commandTable).
export const ServerCommands = {
  runTests: "modls.runTests",
  runIntegration: "modls.runIntegration",
  validateModule: "modls.validateModule",
  addDependency: "modls.addDependency",
} as const;

export type ServerCommand = (typeof ServerCommands)[keyof typeof ServerCommands];

export const serverCommandNames: readonly string[] = Object.values(ServerCommands);

export function isServerCommand(name: string): name is ServerCommand {
  return serverCommandNames.includes(name);
}

// CommandArgs is the one argument of every server command (lsp/commands.go
// commandArgs): the module or package directory, absolute, for
// modls.runTests optionally the one test to run, and for
// modls.addDependency the module to add to the dependencies.
export interface CommandArgs {
  dir: string;
  test?: string;
  dependency?: string;
}

// CommandResult is executeCommand's answer (lsp/commands.go commandResult).
export interface CommandResult {
  ok: boolean;
  summary: string;
  // isolation is the sandbox's isolation report (run integration only;
  // lsp/run_integration.go IntegrationIsolation).
  isolation?: CommandIsolation;
}

export interface CommandIsolation {
  summary: string;
  layers: IsolationLayer[] | null;
  network: boolean;
}

// IsolationLayer is one layer of the sandbox's confinement: "in force",
// "unavailable" (the machine lacks it; detail says why), "not needed" or
// "off".
export interface IsolationLayer {
  name: string;
  status: string;
  detail?: string;
}

// The JSON field names of the two types above, checked against the Go tags.
export const commandArgsFields: readonly (keyof CommandArgs)[] = ["dir", "test", "dependency"];
export const commandResultFields: readonly (keyof CommandResult)[] = ["ok", "summary", "isolation"];

// Diagnostic sources: the rules' findings, and failures of test and
// sandbox runs placed at the failing line.
export const diagnosticSource = "modls";
export const testDiagnosticSource = "modls-test";

// CheckDiagnostic is one entry of `modls check --format json`
// (checker/diagnostic.go Diagnostic). Lines and columns are 1-based,
// columns count bytes; file is relative to the directory modls ran in.
export interface CheckDiagnostic {
  rule: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  message: string;
  url?: string;
  related?: CheckPlace[];
  fixes: CheckFix[] | null;
}

// CheckPlace is a related location (checker/diagnostic.go Place).
export interface CheckPlace {
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  message: string;
}

// CheckFix is a suggested fix (checker/diagnostic.go Fix).
export interface CheckFix {
  message: string;
  edits: unknown[];
}

export interface CheckOutput {
  diagnostics: CheckDiagnostic[];
}

export const checkDiagnosticFields: readonly (keyof CheckDiagnostic)[] = [
  "rule", "severity", "file", "line", "column", "end_line", "end_column", "message", "url", "related", "fixes",
];

// SandboxCheck and SandboxResult are what `modls sandbox --json` prints
// (sandbox/sandbox.go Check and Result). Durations are nanoseconds.
export interface SandboxCheck {
  name: string;
  status: "pass" | "fail" | "skip" | string;
  duration_ns: number;
  message?: string;
  file?: string;
  line?: number;
}

export interface SandboxPhase {
  name: string;
  duration_ns: number;
}

export interface SandboxResult {
  module: string;
  set: string[] | null;
  checks: SandboxCheck[] | null;
  passed: boolean;
  dir?: string;
  duration_ns: number;
  phases: SandboxPhase[] | null;
  // isolation is null when no module code ran (the build failed).
  isolation: SandboxIsolation | null;
}

// SandboxIsolation is the isolation report of a run
// (internal/confine/policy.go Report).
export interface SandboxIsolation {
  layers: IsolationLayer[] | null;
  uid: number;
  gid: number;
  network: boolean;
  limits: { memory: number; processes: number; disk: number; output: number };
}

export const sandboxCheckFields: readonly (keyof SandboxCheck)[] = ["name", "status", "duration_ns", "message", "file", "line"];
export const sandboxResultFields: readonly (keyof SandboxResult)[] = [
  "module", "set", "checks", "passed", "dir", "duration_ns", "phases", "isolation",
];

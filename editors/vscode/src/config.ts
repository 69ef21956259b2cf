// The extension's settings (contributes.configuration in package.json) and
// what the server is told about them. Nothing here imports vscode: the
// settings are read through the small Section interface so that the
// translation can be tested under plain Node.

// ExtensionCommands are the commands package.json contributes. They differ
// from the server's executeCommand names (lsp_ext.ts), which the language
// client registers under their own names.
export const ExtensionCommands = {
  checkWorkspace: "modls.checkWorkspace",
  runModuleIntegration: "modls.runModuleIntegration",
  restartServer: "modls.restartServer",
  showOutput: "modls.showOutput",
} as const;

// Severity is a rule's severity as modls.json and the server spell it.
export type Severity = "error" | "warning" | "info";

export const severities: readonly Severity[] = ["error", "warning", "info"];

// RuleSetting is one rule's setting, in the three forms modls.json accepts
// (checker/config.go RuleConfig): "off", a severity, or an object.
export type RuleSetting = "off" | Severity | { enabled?: boolean; severity?: Severity };

export type TraceLevel = "off" | "messages" | "verbose";

// CompileErrors is modls.compileErrors: what happens to the checker's
// compile findings (parse and type errors), which gopls reports too.
export type CompileErrors = "auto" | "on" | "off";

export const compileErrorsModes: readonly CompileErrors[] = ["auto", "on", "off"];

export interface ModlsConfig {
  // path is the modls executable named by modls.path ("" for a PATH lookup).
  path: string;
  // rules maps a rule ID to its setting; rules not named keep the
  // workspace's modls.json setting, then their default.
  rules: Record<string, RuleSetting>;
  // sandboxNetwork gives module code the host's network in the sandbox
  // (modls.sandbox.network, modls sandbox --network).
  sandboxNetwork: boolean;
  trace: TraceLevel;
  // compileErrors "auto" shows compile findings unless gopls serves Go
  // files in this window (gopls below).
  compileErrors: CompileErrors;
  // gopls tells whether gopls serves Go files here: the Go extension
  // (golang.go) is installed and enabled with its language server on.
  // Not a setting: main.ts fills it in.
  gopls: boolean;
}

// Section is the part of vscode.WorkspaceConfiguration that is read.
export interface Section {
  get<T>(key: string): T | undefined;
}

// ruleIDPattern is the form of a rule ID ("MOD005").
export const ruleIDPattern = /^MOD\d{3}$/;

function isSeverity(v: unknown): v is Severity {
  return typeof v === "string" && (severities as readonly string[]).includes(v);
}

// normalizeRule turns a user's value into one the server accepts, or an
// error message naming what is wrong.
export function normalizeRule(id: string, value: unknown): RuleSetting | string {
  if (!ruleIDPattern.test(id)) {
    return `modls.rules: "${id}" is not a rule ID (MOD001 to MOD012)`;
  }
  if (value === "off" || isSeverity(value)) {
    return value;
  }
  if (value === true) {
    return { enabled: true };
  }
  if (value === false) {
    return "off";
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const out: { enabled?: boolean; severity?: Severity } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === "enabled" && typeof v === "boolean") {
        out.enabled = v;
      } else if (k === "severity" && isSeverity(v)) {
        out.severity = v;
      } else {
        return `modls.rules.${id}: unexpected ${JSON.stringify(k)}: ${JSON.stringify(v)} (want "enabled": true|false, "severity": "error"|"warning"|"info")`;
      }
    }
    return out;
  }
  return `modls.rules.${id}: ${JSON.stringify(value)} is not "off", "error", "warning", "info" or {"enabled", "severity"}`;
}

export interface ReadResult {
  config: ModlsConfig;
  // problems are settings that were left out, each a message for the user.
  problems: string[];
}

// readConfig reads the "modls" section of the settings.
export function readConfig(section: Section): ReadResult {
  const problems: string[] = [];
  const path = (section.get<string>("path") ?? "").trim();
  const rules: Record<string, RuleSetting> = {};
  const raw = section.get<unknown>("rules");
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "object" || Array.isArray(raw)) {
      problems.push(`modls.rules: want an object mapping rule IDs to settings, got ${JSON.stringify(raw)}`);
    } else {
      for (const id of Object.keys(raw as object).sort()) {
        const r = normalizeRule(id, (raw as Record<string, unknown>)[id]);
        if (typeof r === "string" && !(r === "off" || isSeverity(r))) {
          problems.push(r);
        } else {
          rules[id] = r;
        }
      }
    }
  }
  let sandboxNetwork = false;
  const network = section.get<unknown>("sandbox.network");
  if (typeof network === "boolean") {
    sandboxNetwork = network;
  } else if (network !== undefined && network !== null) {
    problems.push(`modls.sandbox.network: ${JSON.stringify(network)} is not true or false`);
  }
  let trace = section.get<string>("trace.server") ?? "off";
  if (trace !== "off" && trace !== "messages" && trace !== "verbose") {
    problems.push(`modls.trace.server: ${JSON.stringify(trace)} is not "off", "messages" or "verbose"`);
    trace = "off";
  }
  let compileErrors = section.get<string>("compileErrors") ?? "auto";
  if (!(compileErrorsModes as readonly string[]).includes(compileErrors)) {
    problems.push(`modls.compileErrors: ${JSON.stringify(compileErrors)} is not "auto", "on" or "off"`);
    compileErrors = "auto";
  }
  return { config: { path, rules, sandboxNetwork, trace: trace as TraceLevel, compileErrors: compileErrors as CompileErrors, gopls: false }, problems };
}

// goplsServes tells whether the Go extension serves Go files with gopls:
// it is installed and enabled (it activates on the first Go file, so it
// need not be active yet) and go.useLanguageServer is not false.
export function goplsServes(goExtensionPresent: boolean, useLanguageServer: unknown): boolean {
  return goExtensionPresent && useLanguageServer !== false;
}

// showCompileErrors is what the server is told: whether it publishes
// compile findings.
export function showCompileErrors(config: ModlsConfig): boolean {
  return config.compileErrors === "on" || (config.compileErrors === "auto" && !config.gopls);
}

// ServerSettings is the settings object the server reads from
// initializationOptions and from workspace/didChangeConfiguration's
// settings: {"modls": {"rules": {...}, "compileErrors": bool,
// "sandbox": {"network": bool}}}, the rules in modls.json's form
// (lsp/configuration.go clientSettings, and lsp/run_integration.go
// sandboxSettings).
export interface ServerSettings {
  modls: { rules: Record<string, RuleSetting>; compileErrors: boolean; sandbox: { network: boolean } };
}

export function serverSettings(config: ModlsConfig): ServerSettings {
  const rules: Record<string, RuleSetting> = {};
  for (const id of Object.keys(config.rules).sort()) {
    const r = config.rules[id];
    rules[id] = typeof r === "object" ? { ...r } : r;
  }
  return { modls: { rules, compileErrors: showCompileErrors(config), sandbox: { network: config.sandboxNetwork } } };
}

// initializationOptions is sent with initialize.
export function initializationOptions(config: ModlsConfig): ServerSettings {
  return serverSettings(config);
}

// didChangeConfigurationParams is sent when the rules or the sandbox's
// settings change.
export function didChangeConfigurationParams(config: ModlsConfig): { settings: ServerSettings } {
  return { settings: serverSettings(config) };
}

// ChangeKind says what a settings change requires.
export type ChangeKind = "none" | "notify" | "restart";

// changeKind compares two configurations: a new executable needs a new
// server, new rules, compile-error handling or sandbox settings a
// didChangeConfiguration, trace is applied in place.
export function changeKind(before: ModlsConfig, after: ModlsConfig): ChangeKind {
  if (before.path !== after.path) {
    return "restart";
  }
  if (JSON.stringify(serverSettings(before)) !== JSON.stringify(serverSettings(after))) {
    return "notify";
  }
  return "none";
}

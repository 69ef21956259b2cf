// The extension's own commands (config.ts ExtensionCommands): checking
// the workspace, running a module's integration checks, restarting the
// server.

import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { ModlsClient, locate } from "./client";
import { ExtensionCommands, ModlsConfig } from "./config";
import { CommandResult, SandboxResult, ServerCommands } from "./lsp_ext";
import {
  DiagnosticSpec,
  checkSummary,
  checkToDiagnostics,
  commandOutcome,
  moduleDirOf,
  moduleNameOf,
  parseCheckOutput,
  sandboxToTestItems,
} from "./results";
import type { Status } from "./status";
import type { Testing } from "./testing";

export interface Context {
  client: ModlsClient;
  output: vscode.OutputChannel;
  status: Status;
  testing: Testing;
  config(): ModlsConfig;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string, token: vscode.CancellationToken): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { cwd, maxBuffer: 256 << 20, env: process.env }, (err, stdout, stderr) => {
      if (err !== null && typeof (err as { code?: unknown }).code !== "number") {
        reject(new Error(`${path.basename(file)} ${args.join(" ")}: ${err.message}`));
        return;
      }
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? 1), stdout, stderr });
    });
    token.onCancellationRequested(() => child.kill("SIGINT"));
  });
}

function toVscode(d: DiagnosticSpec): vscode.Diagnostic {
  const r = (x: DiagnosticSpec["range"]) => new vscode.Range(x.start.line, x.start.character, x.end.line, x.end.character);
  const sev = d.severity === "warning"
    ? vscode.DiagnosticSeverity.Warning
    : d.severity === "info"
      ? vscode.DiagnosticSeverity.Information
      : vscode.DiagnosticSeverity.Error;
  const diag = new vscode.Diagnostic(r(d.range), d.message, sev);
  diag.source = "modls check";
  diag.code = d.url ? { value: d.code, target: vscode.Uri.parse(d.url) } : d.code;
  diag.relatedInformation = d.related.map((x) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(x.file), r(x.range)), x.message));
  return diag;
}

// lineReader reads the lines of files on demand, for column conversion.
function lineReader(): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | undefined>();
  return (file, line) => {
    if (!cache.has(file)) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      try {
        cache.set(file, (open ? open.getText() : fs.readFileSync(file, "utf8")).split("\n"));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file)?.[line - 1];
  };
}

function executable(ctx: Context): string | undefined {
  if (ctx.client.executable !== undefined) {
    return ctx.client.executable;
  }
  const found = locate(ctx.config());
  if (!found.ok) {
    void vscode.window.showErrorMessage(found.message);
    return undefined;
  }
  return found.path;
}

function goModRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "go.mod"))) {
      return d;
    }
    if (path.dirname(d) === d) {
      return undefined;
    }
  }
}

async function checkWorkspace(ctx: Context, collection: vscode.DiagnosticCollection): Promise<void> {
  const modls = executable(ctx);
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (modls === undefined) {
    return;
  }
  if (folders.length === 0) {
    void vscode.window.showWarningMessage("modls: open a folder holding a Go module to check it");
    return;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "modls check", cancellable: true },
    async (_progress, token) => {
      collection.clear();
      const all = new Map<string, DiagnosticSpec[]>();
      for (const folder of folders) {
        const cwd = folder.uri.fsPath;
        ctx.output.appendLine(`${cwd}$ ${modls} check --format json ./...`);
        const r = await run(modls, ["check", "--format", "json", "./..."], cwd, token);
        if (token.isCancellationRequested) {
          return;
        }
        if (r.code !== 0 && r.code !== 1) {
          ctx.output.appendLine(r.stderr.trim());
          ctx.output.show(true);
          void vscode.window.showErrorMessage(`modls check failed in ${folder.name}: ${r.stderr.trim().split("\n")[0] ?? `exit status ${r.code}`}`);
          continue;
        }
        const byFile = checkToDiagnostics(parseCheckOutput(r.stdout), cwd, lineReader());
        for (const [file, list] of byFile) {
          all.set(file, [...(all.get(file) ?? []), ...list]);
        }
      }
      for (const [file, list] of all) {
        collection.set(vscode.Uri.file(file), list.map(toVscode));
      }
      const summary = checkSummary(all);
      ctx.output.appendLine(summary);
      void vscode.window.showInformationMessage(summary);
    },
  );
}

// currentModule is the module of the active editor's file, else one the
// user picks.
async function currentModule(ctx: Context): Promise<string | undefined> {
  const file = vscode.window.activeTextEditor?.document.uri.fsPath;
  if (file !== undefined) {
    const dir = moduleDirOf(file, (f) => fs.existsSync(f));
    if (dir !== undefined) {
      return dir;
    }
  }
  await ctx.testing.discover();
  const manifests = await vscode.workspace.findFiles("**/modules/*/*/manifest.json", "**/{node_modules,vendor,.git,testdata}/**");
  const picks = manifests.map((u) => {
    const dir = path.dirname(u.fsPath);
    return { label: moduleNameOf(dir, undefined), description: vscode.workspace.asRelativePath(dir), dir };
  });
  if (picks.length === 0) {
    void vscode.window.showWarningMessage("modls: no framework module (modules/<type>/<name>/manifest.json) in the workspace");
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(picks, { placeHolder: "Module to run the integration checks of" });
  return pick?.dir;
}

async function runModuleIntegration(ctx: Context): Promise<void> {
  const dir = await currentModule(ctx);
  if (dir === undefined) {
    return;
  }
  if (ctx.client.running) {
    // Through the server: the editor's unsaved buffers are included, and
    // the status bar and Testing view hear of it from the client.
    let result: CommandResult;
    try {
      result = await ctx.client.executeCommand(ServerCommands.runIntegration, { dir });
    } catch (e) {
      void vscode.window.showErrorMessage(`modls: ${(e as Error).message}`);
      return;
    }
    const show = result.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(result.summary);
    return;
  }
  const modls = executable(ctx);
  const root = goModRoot(dir);
  if (modls === undefined || root === undefined) {
    return;
  }
  let manifest: string | undefined;
  try {
    manifest = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
  } catch {
    manifest = undefined;
  }
  const name = moduleNameOf(dir, manifest);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `modls sandbox ${name}`, cancellable: true },
    async (_p, token) => {
      ctx.output.appendLine(`${root}$ ${modls} sandbox --module ${name} --json`);
      const r = await run(modls, ["sandbox", "--module", name, "--json"], root, token);
      let items;
      try {
        items = sandboxToTestItems(dir, JSON.parse(r.stdout) as SandboxResult);
      } catch {
        ctx.output.appendLine(r.stderr.trim());
        void vscode.window.showErrorMessage(`modls sandbox failed: ${r.stderr.trim().split("\n")[0] ?? `exit status ${r.code}`}`);
        return;
      }
      ctx.testing.applySandbox(dir, items);
      ctx.status.recordSandbox(commandOutcome(ServerCommands.runIntegration, { dir }, { ok: items.status === "passed", summary: items.summary }));
      ctx.output.appendLine(items.summary);
      const show = items.status === "passed" ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(items.summary);
    },
  );
}

export function registerCommands(ctx: Context): vscode.Disposable[] {
  const collection = vscode.languages.createDiagnosticCollection("modls check");
  return [
    collection,
    vscode.commands.registerCommand(ExtensionCommands.checkWorkspace, () => checkWorkspace(ctx, collection)),
    vscode.commands.registerCommand(ExtensionCommands.runModuleIntegration, () => runModuleIntegration(ctx)),
    vscode.commands.registerCommand(ExtensionCommands.restartServer, async () => {
      ctx.output.appendLine("restarting modls serve");
      await ctx.client.restart();
    }),
    vscode.commands.registerCommand(ExtensionCommands.showOutput, () => ctx.output.show(true)),
  ];
}

// Entry point: wires the settings, the language client, the commands, the
// status-bar item and the Testing view together.

import * as vscode from "vscode";
import { ModlsClient } from "./client";
import { registerCommands } from "./commands";
import { ExtensionCommands, ModlsConfig, changeKind, goplsServes, readConfig } from "./config";
import { ServerCommands } from "./lsp_ext";
import { commandOutcome } from "./results";
import { Status } from "./status";
import { Testing } from "./testing";

let client: ModlsClient | undefined;

// goExtension is the Go extension, whose gopls reports compile errors.
const goExtension = "golang.go";

function loadConfig(output: vscode.LogOutputChannel): ModlsConfig {
  const { config, problems } = readConfig(vscode.workspace.getConfiguration("modls"));
  for (const p of problems) {
    output.appendLine(`settings: ${p} (left out)`);
    void vscode.window.showWarningMessage(`modls: ${p}`);
  }
  config.gopls = goplsServes(vscode.extensions.getExtension(goExtension) !== undefined, vscode.workspace.getConfiguration("go").get("useLanguageServer"));
  return config;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("modls", { log: true });
  const trace = vscode.window.createOutputChannel("modls trace", { log: true });
  let config = loadConfig(output);

  const status = new Status(vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0), ExtensionCommands.showOutput);
  client = new ModlsClient(config, output, trace);
  const c = client;
  const testing = new Testing(c);
  c.addCommandListener(testing);
  c.addCommandListener({
    started: () => undefined,
    finished: (command, args, result) => {
      if (command === ServerCommands.runIntegration) {
        status.recordSandbox(commandOutcome(command, args, result));
      }
    },
  });
  c.onDidChangeState((e) => status.setServer(e.state, e.detail));

  context.subscriptions.push(
    output,
    trace,
    testing,
    c,
    ...registerCommands({ client: c, output, status, testing, config: () => config }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("modls") && !e.affectsConfiguration("go.useLanguageServer")) {
        return;
      }
      await reload();
    }),
    // The Go extension installed, enabled, disabled or removed.
    vscode.extensions.onDidChange(() => reload()),
  );
  async function reload(): Promise<void> {
    const next = loadConfig(output);
    const kind = changeKind(config, next);
    config = next;
    await c.updateConfig(next, kind);
  }
  await c.start();
}

export async function deactivate(): Promise<void> {
  if (client !== undefined) {
    await client.stop();
    client = undefined;
  }
}

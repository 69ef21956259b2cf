// The language client: finds modls, starts `modls serve`, tells it the
// rule settings, and reports every server command it runs (code lens,
// command palette or Testing view) to the listeners that show outcomes.

import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";
import { ModlsConfig, didChangeConfigurationParams, initializationOptions } from "./config";
import { locateModls, Located } from "./locate";
import { CommandArgs, CommandResult, isServerCommand, ServerCommands } from "./lsp_ext";
import type { ServerState } from "./status";

export const clientID = "modls";

// CommandListener hears about a server command before it runs (result
// undefined) and after (its result, or the error it failed with).
export interface CommandListener {
  started(command: string, args: CommandArgs): void;
  finished(command: string, args: CommandArgs, result: CommandResult | Error): void;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform === "win32") {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// locate resolves the modls executable from the settings and the process
// environment.
export function locate(config: ModlsConfig): Located {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return locateModls(config.path, { env: process.env, platform: process.platform, home: os.homedir(), isExecutable }, folder);
}

function commandArgs(args: unknown[]): CommandArgs | undefined {
  const a = args[0];
  if (a !== null && typeof a === "object" && typeof (a as { dir?: unknown }).dir === "string") {
    return a as CommandArgs;
  }
  return undefined;
}

export class ModlsClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private config: ModlsConfig;
  private readonly stateEmitter = new vscode.EventEmitter<{ state: ServerState; detail: string }>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly listeners: CommandListener[] = [];
  // executable is the modls the running server was started from.
  executable: string | undefined;

  constructor(config: ModlsConfig, private readonly output: vscode.LogOutputChannel, private readonly traceOutput: vscode.LogOutputChannel) {
    this.config = config;
  }

  addCommandListener(l: CommandListener): void {
    this.listeners.push(l);
  }

  get running(): boolean {
    return this.client !== undefined && this.client.state === State.Running;
  }

  async start(): Promise<void> {
    const found = locate(this.config);
    if (!found.ok) {
      this.executable = undefined;
      this.output.appendLine(found.message);
      this.stateEmitter.fire({ state: "not-found", detail: "modls not found" });
      const install = "Copy install command";
      void vscode.window.showErrorMessage(found.message, install, "Open settings").then((choice) => {
        if (choice === install) {
          void vscode.env.clipboard.writeText("go install github.com/modls/modls/cmd/modls@latest");
        } else if (choice === "Open settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "modls.path");
        }
      });
      return;
    }
    this.executable = found.path;
    this.output.appendLine(`starting ${found.path} serve (found in ${found.from})`);
    const serverOptions: ServerOptions = {
      run: { command: found.path, args: ["serve"] },
      debug: { command: found.path, args: ["serve"] },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "go" },
        { scheme: "file", pattern: "**/manifest.json" },
      ],
      initializationOptions: initializationOptions(this.config),
      outputChannel: this.output,
      traceOutputChannel: this.traceOutput,
      middleware: {
        executeCommand: async (command, args, next) => {
          const a = commandArgs(args);
          // modls.addDependency edits a manifest: it runs nothing to report.
          if (a === undefined || !isServerCommand(command) || command === ServerCommands.addDependency) {
            return next(command, args);
          }
          for (const l of this.listeners) {
            l.started(command, a);
          }
          try {
            const result = (await next(command, args)) as CommandResult | undefined;
            const r: CommandResult = result ?? { ok: false, summary: `${command}: no result` };
            for (const l of this.listeners) {
              l.finished(command, a, r);
            }
            return result;
          } catch (e) {
            const err = e instanceof Error ? e : new Error(String(e));
            for (const l of this.listeners) {
              l.finished(command, a, err);
            }
            throw e;
          }
        },
      },
    };
    const client = new LanguageClient(clientID, "modls", serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.stateEmitter.fire({ state: "running", detail: found.path });
      } else if (e.newState === State.Starting) {
        this.stateEmitter.fire({ state: "starting", detail: found.path });
      } else {
        this.stateEmitter.fire({ state: "stopped", detail: "" });
      }
    });
    this.client = client;
    this.stateEmitter.fire({ state: "starting", detail: found.path });
    try {
      await client.start();
    } catch (e) {
      this.stateEmitter.fire({ state: "failed", detail: (e as Error).message });
      this.output.appendLine(`modls serve failed to start: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`modls serve failed to start: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) {
      try {
        await c.stop();
      } catch (e) {
        this.output.appendLine(`stopping modls serve: ${(e as Error).message}`);
      }
      await c.dispose();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // updateConfig applies new settings: a new executable restarts the
  // server, new rules are sent with workspace/didChangeConfiguration.
  async updateConfig(config: ModlsConfig, kind: "none" | "notify" | "restart"): Promise<void> {
    this.config = config;
    if (kind === "restart") {
      await this.restart();
    } else if (kind === "notify" && this.client !== undefined && this.running) {
      await this.client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(config));
    }
  }

  // executeCommand runs a server command through the client, so that
  // the listeners hear of it like of a code lens.
  async executeCommand(command: string, args: CommandArgs): Promise<CommandResult> {
    if (!this.running) {
      throw new Error("the modls server is not running");
    }
    return (await vscode.commands.executeCommand(command, args)) as CommandResult;
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }
}

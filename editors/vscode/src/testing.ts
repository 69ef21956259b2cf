// The Testing view: one item per framework module, with "unit tests" and
// "integration (sandbox)" children, and an item per test run from a code
// lens. Items are run through the server's commands; outcomes come from
// the server's results, whoever started the run (a lens, a command, the
// Testing view), and failures carry the places the server marked with
// modls-test diagnostics.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import type { CommandListener, ModlsClient } from "./client";
import { CommandArgs, CommandResult, ServerCommands, testDiagnosticSource } from "./lsp_ext";
import {
  SandboxItems,
  TestStatus,
  commandOutcome,
  integrationItemID,
  moduleNameOf,
  testItemID,
  unitItemID,
} from "./results";

type ItemKind = "module" | "unit" | "integration" | "test" | "check";

interface ItemData {
  kind: ItemKind;
  dir: string;
  test?: string;
}

function within(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export class Testing implements CommandListener, vscode.Disposable {
  private readonly controller: vscode.TestController;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  // runs started by the Testing view, by item ID, so that the server's
  // result lands in the run the user started.
  private readonly viewRuns = new Map<string, vscode.TestRun>();
  // runs started elsewhere (a lens), ended when the result arrives.
  private readonly ownRuns = new Map<string, vscode.TestRun>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly client: ModlsClient) {
    this.controller = vscode.tests.createTestController("modls", "modls");
    this.controller.resolveHandler = async (item) => {
      if (item === undefined) {
        await this.discover();
      }
    };
    this.controller.createRunProfile("Run", vscode.TestRunProfileKind.Run, (req, token) => this.runHandler(req, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher("**/modules/*/*/manifest.json");
    watcher.onDidCreate((uri) => this.addModule(path.dirname(uri.fsPath)));
    watcher.onDidDelete((uri) => this.controller.items.delete(`module:${path.dirname(uri.fsPath)}`));
    this.disposables.push(watcher, this.controller);
  }

  async discover(): Promise<void> {
    const manifests = await vscode.workspace.findFiles("**/modules/*/*/manifest.json", "**/{node_modules,vendor,.git,testdata}/**");
    for (const uri of manifests) {
      this.addModule(path.dirname(uri.fsPath));
    }
  }

  private addModule(dir: string): vscode.TestItem {
    const id = `module:${dir}`;
    const existing = this.controller.items.get(id);
    if (existing !== undefined) {
      return existing;
    }
    let manifest: string | undefined;
    try {
      manifest = fs.readFileSync(path.join(dir, "manifest.json"), "utf8");
    } catch {
      manifest = undefined;
    }
    const mod = this.controller.createTestItem(id, moduleNameOf(dir, manifest), vscode.Uri.file(path.join(dir, "manifest.json")));
    this.data.set(mod, { kind: "module", dir });
    const unit = this.controller.createTestItem(unitItemID(dir), "unit tests");
    this.data.set(unit, { kind: "unit", dir });
    const integ = this.controller.createTestItem(integrationItemID(dir), "integration (sandbox)");
    this.data.set(integ, { kind: "integration", dir });
    mod.children.add(unit);
    mod.children.add(integ);
    this.controller.items.add(mod);
    return mod;
  }

  private moduleItemFor(dir: string): vscode.TestItem | undefined {
    let found: vscode.TestItem | undefined;
    this.controller.items.forEach((item) => {
      const d = this.data.get(item);
      if (d !== undefined && within(d.dir, dir)) {
        found = item;
      }
    });
    return found;
  }

  // itemFor finds or creates the item a command's run concerns.
  private itemFor(command: string, args: CommandArgs): vscode.TestItem | undefined {
    const o = commandOutcome(command, args, { ok: true, summary: "" });
    if (o.kind === "validate") {
      return undefined;
    }
    const mod = this.moduleItemFor(args.dir);
    if (o.kind === "test" && args.test !== undefined) {
      const parent = mod?.children ?? this.controller.items;
      let item = parent.get(o.itemID);
      if (item === undefined) {
        const label = mod === undefined ? `${args.test} (${path.basename(args.dir)})` : args.test;
        item = this.controller.createTestItem(testItemID(args.dir, args.test), label);
        this.data.set(item, { kind: "test", dir: args.dir, test: args.test });
        parent.add(item);
      }
      return item;
    }
    const modItem = mod ?? this.addModule(args.dir);
    return modItem.children.get(o.itemID);
  }

  started(command: string, args: CommandArgs): void {
    const item = this.itemFor(command, args);
    if (item === undefined) {
      return;
    }
    let run = this.viewRuns.get(item.id);
    if (run === undefined) {
      run = this.controller.createTestRun(new vscode.TestRunRequest([item]), item.label, false);
      this.ownRuns.set(item.id, run);
    }
    run.started(item);
  }

  finished(command: string, args: CommandArgs, result: CommandResult | Error): void {
    const item = this.itemFor(command, args);
    if (item === undefined) {
      return;
    }
    const o = commandOutcome(command, args, result);
    const run = this.viewRuns.get(item.id) ?? this.ownRuns.get(item.id);
    if (run === undefined) {
      return;
    }
    this.report(run, item, o.status, o.summary, args.dir);
    const own = this.ownRuns.get(item.id);
    if (own !== undefined) {
      this.ownRuns.delete(item.id);
      own.end();
    }
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, status: TestStatus, summary: string, dir: string, durationMs?: number): void {
    run.appendOutput(`${item.label}: ${summary}\r\n`);
    if (status === "passed") {
      run.passed(item, durationMs);
    } else if (status === "skipped") {
      run.skipped(item);
    } else {
      run.failed(item, this.failureMessages(summary, dir), durationMs);
    }
  }

  // failureMessages are the summary and one message per modls-test
  // diagnostic the server published under dir.
  private failureMessages(summary: string, dir: string): vscode.TestMessage[] {
    const out = [new vscode.TestMessage(summary)];
    for (const [uri, diags] of vscode.languages.getDiagnostics()) {
      if (!within(dir, uri.fsPath)) {
        continue;
      }
      for (const d of diags) {
        if (d.source === testDiagnosticSource) {
          const m = new vscode.TestMessage(d.message);
          m.location = new vscode.Location(uri, d.range);
          out.push(m);
        }
      }
    }
    return out;
  }

  // applySandbox shows a sandbox run made with the command line (when
  // the server is not running): the module's integration item and a
  // child per check.
  applySandbox(moduleDir: string, s: SandboxItems): void {
    const mod = this.addModule(moduleDir);
    const integ = mod.children.get(s.id);
    if (integ === undefined) {
      return;
    }
    const run = this.controller.createTestRun(new vscode.TestRunRequest([integ]), "integration (sandbox)", false);
    for (const c of s.children) {
      let child = integ.children.get(c.id);
      if (child === undefined) {
        child = this.controller.createTestItem(c.id, c.label, c.file ? vscode.Uri.file(c.file) : undefined);
        this.data.set(child, { kind: "check", dir: moduleDir });
        integ.children.add(child);
      }
      if (c.file && c.line) {
        child.range = new vscode.Range(c.line - 1, 0, c.line - 1, 0);
      }
      if (c.status === "failed") {
        const m = new vscode.TestMessage(c.message ?? "failed");
        if (c.file) {
          m.location = new vscode.Location(vscode.Uri.file(c.file), new vscode.Position(Math.max(0, (c.line ?? 1) - 1), 0));
        }
        run.failed(child, m, c.durationMs);
      } else if (c.status === "skipped") {
        run.skipped(child);
      } else {
        run.passed(child, c.durationMs);
      }
    }
    this.report(run, integ, s.status, s.summary, moduleDir, s.durationMs);
    run.end();
  }

  private async runHandler(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(req);
    const queue: vscode.TestItem[] = [];
    const add = (item: vscode.TestItem) => {
      const d = this.data.get(item);
      if (d === undefined || req.exclude?.includes(item)) {
        return;
      }
      if (d.kind === "module") {
        item.children.forEach((c) => add(c));
      } else if (d.kind === "check") {
        if (item.parent !== undefined) {
          add(item.parent);
        }
      } else if (!queue.includes(item)) {
        queue.push(item);
      }
    };
    if (req.include === undefined) {
      this.controller.items.forEach((i) => add(i));
    } else {
      req.include.forEach((i) => add(i));
    }
    for (const item of queue) {
      run.enqueued(item);
    }
    for (const item of queue) {
      if (token.isCancellationRequested) {
        run.skipped(item);
        continue;
      }
      const d = this.data.get(item)!;
      const command = d.kind === "integration" ? ServerCommands.runIntegration : ServerCommands.runTests;
      const args: CommandArgs = d.test !== undefined ? { dir: d.dir, test: d.test } : { dir: d.dir };
      this.viewRuns.set(item.id, run);
      try {
        await this.client.executeCommand(command, args);
      } catch (e) {
        // The middleware has reported a failed command; a client that is
        // not running never reached it.
        if (!this.client.running) {
          run.errored(item, new vscode.TestMessage((e as Error).message));
        }
      } finally {
        this.viewRuns.delete(item.id);
      }
    }
    run.end();
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}

// The status-bar item: the server's state and the outcome of the last
// sandbox run. The item is passed in (window.createStatusBarItem in
// main.ts), so this file loads without VS Code.

import type { RunOutcome } from "./results";

export type ServerState = "starting" | "running" | "stopped" | "failed" | "not-found";

// StatusItem is the part of vscode.StatusBarItem that is used.
export interface StatusItem {
  text: string;
  tooltip: string | unknown;
  command: string | unknown;
  show(): void;
}

export interface StatusView {
  text: string;
  tooltip: string;
}

const icons: Record<ServerState, string> = {
  starting: "$(sync~spin)",
  running: "$(check)",
  stopped: "$(circle-slash)",
  failed: "$(error)",
  "not-found": "$(warning)",
};

// statusView is what the item shows for a server state and the last
// sandbox outcome.
export function statusView(state: ServerState, detail: string, lastSandbox?: RunOutcome): StatusView {
  let text = `${icons[state]} modls`;
  const lines = [`modls server: ${state}${detail ? ` (${detail})` : ""}`];
  if (lastSandbox !== undefined) {
    const mark = lastSandbox.status === "passed" ? "$(pass)" : "$(testing-failed-icon)";
    text += ` ${mark} ${lastSandboxName(lastSandbox)}`;
    lines.push(`last sandbox run: ${lastSandbox.summary}`);
  }
  lines.push("Click to show the modls output.");
  return { text, tooltip: lines.join("\n") };
}

function lastSandboxName(o: RunOutcome): string {
  const parts = o.dir.split(/[\\/]/);
  return parts.slice(-2).join(".");
}

export class Status {
  private state: ServerState = "stopped";
  private detail = "";
  private lastSandbox: RunOutcome | undefined;

  constructor(private readonly item: StatusItem, showOutputCommand: string) {
    item.command = showOutputCommand;
    this.render();
    item.show();
  }

  setServer(state: ServerState, detail = ""): void {
    this.state = state;
    this.detail = detail;
    this.render();
  }

  recordSandbox(o: RunOutcome): void {
    this.lastSandbox = o;
    this.render();
  }

  private render(): void {
    const v = statusView(this.state, this.detail, this.lastSandbox);
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
  }
}

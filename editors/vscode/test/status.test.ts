import { strict as assert } from "node:assert";
import { test } from "node:test";
import { Status, statusView } from "../src/status";

test("the item shows the server state, then the last sandbox outcome", () => {
  const item = { text: "", tooltip: "" as unknown, command: "" as unknown, shown: 0, show() { this.shown++; } };
  const s = new Status(item, "modls.showOutput");
  assert.equal(item.command, "modls.showOutput");
  assert.equal(item.shown, 1);
  assert.equal(item.text, "$(circle-slash) modls");
  s.setServer("running", "/usr/bin/modls");
  assert.equal(item.text, "$(check) modls");
  assert.match(String(item.tooltip), /modls server: running \(\/usr\/bin\/modls\)/);
  s.recordSandbox({ itemID: "integration:/ws/modules/standard/audit", kind: "integration", dir: "/ws/modules/standard/audit", status: "failed", summary: "✗ 2 failed" });
  assert.equal(item.text, "$(check) modls $(testing-failed-icon) standard.audit");
  assert.match(String(item.tooltip), /last sandbox run: ✗ 2 failed/);
  s.setServer("not-found", "modls not found");
  assert.equal(item.text, "$(warning) modls $(testing-failed-icon) standard.audit");
});

test("a passed sandbox run shows a pass mark", () => {
  const v = statusView("running", "", { itemID: "i", kind: "integration", dir: "/ws/modules/standard/audit", status: "passed", summary: "✓ integration 2.1 s" });
  assert.equal(v.text, "$(check) modls $(pass) standard.audit");
});

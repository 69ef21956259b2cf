// Drives the VS Code workbench (code-server) in headless Chromium through
// the steps of e2e/vscode/vscode_test.go, as a user would: the keyboard,
// the mouse, the Problems panel, code lenses, the Testing view, the status
// bar and the command palette. Everything it reports is read from the
// workbench's DOM (and, after a save, from the saved file).
//
//     node workbench.js scenario.json
//
// The scenario names the workbench's URL, the workspace, the artifacts
// directory (a screenshot per step), the Chromium executable and profile,
// and what each step waits for. The result (written to scenario.out) holds
// what each step saw; the Go test asserts on it. A step that waits in vain
// records what the page showed instead and ends the run.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const scenario = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const waitMs = scenario.wait_ms || 180000;
// endAt (ms since the epoch) is when the Go test must have the result: no
// wait runs past it, so that a slow run still says which step it was in
// and what the page showed.
const endAt = scenario.end_at_ms || Infinity;

// budget is the ceiling of a wait starting now.
function budget() {
  return Math.max(1000, Math.min(waitMs, endAt - Date.now()));
}
const result = { steps: [], log: [] };
let page;
let shot = 0;

function log(msg) {
  result.log.push(`${new Date().toISOString()} ${msg}`);
}

function save() {
  fs.writeFileSync(scenario.out, JSON.stringify(result, null, 2));
}

async function screenshot(name) {
  shot++;
  const file = path.join(scenario.artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
  try {
    await page.screenshot({ path: file });
  } catch (e) {
    log(`screenshot ${name}: ${e.message}`);
  }
  return file;
}

// step runs fn, records what it returned (its observations) and a
// screenshot; an exception ends the run with the step marked failed.
async function step(name, fn) {
  const start = Date.now();
  log(`step ${name}`);
  const rec = { name, ok: false, ms: 0, seen: null };
  result.steps.push(rec);
  try {
    rec.seen = await fn();
    rec.ok = true;
  } catch (e) {
    rec.error = e.message.split("\n").slice(0, 12).join("\n");
    throw e;
  } finally {
    rec.ms = Date.now() - start;
    rec.screenshot = await screenshot(name);
    save();
  }
  return rec.seen;
}

// until waits for fn (run in the page with arg) to return a truthy value
// and returns it; on time-out the error names what was awaited and what
// describe (run in the page) shows.
async function until(what, fn, arg, describe) {
  const ms = budget();
  try {
    const h = await page.waitForFunction(fn, arg, { timeout: ms, polling: 250 });
    return await h.jsonValue();
  } catch (e) {
    let now = "";
    if (describe) {
      try {
        now = JSON.stringify(await page.evaluate(describe, arg));
      } catch (e2) {
        now = `(${e2.message})`;
      }
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what}; the page shows ${now}`);
  }
}

// describeNow runs describe in the page for an error message.
async function describeNow(describe, arg) {
  if (!describe) {
    return "";
  }
  try {
    return JSON.stringify(await page.evaluate(describe, arg));
  } catch (e) {
    return `(${e.message})`;
  }
}

// gesture presses (a key, a click) until ready (run in the page with arg)
// returns a truthy value, and returns it. The workbench can drop a key
// press while it is still loading or busy; a press that shows nothing in
// each ms is made again, as a user would, for up to waitMs in all. On
// time-out the error names the gesture, the presses and what describe
// (run in the page) shows.
async function gesture(what, press, ready, arg, describe, each = 15000) {
  const total = budget();
  const deadline = Date.now() + total;
  for (let attempt = 1; ; attempt++) {
    await press(attempt);
    try {
      const h = await page.waitForFunction(ready, arg, { timeout: Math.max(1000, Math.min(each, deadline - Date.now())), polling: 250 });
      if (attempt > 1) {
        log(`${what}: shown after ${attempt} presses`);
      }
      return await h.jsonValue();
    } catch (e) {
      if (e.name !== "TimeoutError") {
        throw e;
      }
      if (Date.now() >= deadline) {
        throw new Error(`${what}: nothing after ${attempt} presses in ${total} ms; the page shows ${await describeNow(describe, arg)}`);
      }
      log(`${what}: press ${attempt} showed nothing in ${each} ms; pressing again`);
    }
  }
}

// poll waits for fn (run here, in Node: it reads files the workbench
// writes) to return a truthy value, checking every 250 ms; after each ms
// without it, again() (a repeated gesture) runs. On time-out the error
// names what was awaited and what describe() returns.
async function poll(what, fn, describe, again, each = 0) {
  const start = Date.now();
  const total = budget();
  let last = start;
  for (;;) {
    const v = fn();
    if (v) {
      return v;
    }
    if (Date.now() - start > total) {
      throw new Error(`timed out after ${total} ms waiting for ${what}; ${describe ? describe() : ""}`);
    }
    if (again && Date.now() - last > each) {
      log(`${what}: not yet after ${each} ms; repeating the gesture`);
      await again();
      last = Date.now();
    }
    await page.waitForTimeout(250); // the interval between two looks at the file
  }
}

// ---- reading the workbench ----

// problems lists the Problems panel's rows: file rows and marker rows.
function problemsRows() {
  const rows = [...document.querySelectorAll(".markers-panel .monaco-list-row")];
  return rows.map((r) => {
    const link = r.querySelector("a.monaco-link");
    const code = r.querySelector(".marker-code");
    return {
      label: r.getAttribute("aria-label") || "",
      level: Number(r.getAttribute("aria-level") || 0),
      message: r.querySelector(".marker-message")?.textContent || "",
      source: r.querySelector(".marker-source")?.textContent || "",
      code: code ? code.textContent : "",
      href: link ? link.getAttribute("href") : "",
      line: r.querySelector(".marker-line")?.textContent || "",
    };
  });
}

// fileProblems is the marker rows under the file row of rel (a path
// relative to the workspace folder), when the file row says there are
// want problems (any number when want is -1); else null.
function fileProblems(arg) {
  // Only while the Problems view's filter holds rel.
  const filter = [...document.querySelectorAll(".part.panel input, .part.panel textarea")]
    .find((x) => (x.getAttribute("placeholder") || "").includes("**/*.ts") && x.offsetParent !== null);
  if (!filter || filter.value !== arg.rel) {
    return null;
  }
  const rows = [...document.querySelectorAll(".markers-panel .monaco-list-row")];
  const base = arg.rel.split("/").pop();
  const dir = arg.rel.split("/").slice(0, -1).join("/");
  const idx = rows.findIndex((r) => {
    const l = r.getAttribute("aria-label") || "";
    return r.getAttribute("aria-level") === "1" && l.includes(` in file ${base} of folder ${dir}`);
  });
  if (idx < 0) {
    return arg.want === 0 ? [] : null;
  }
  const m = /^(\d+) problems? in file/.exec(rows[idx].getAttribute("aria-label"));
  const n = m ? Number(m[1]) : -1;
  if (arg.want >= 0 && n !== arg.want) {
    return null;
  }
  const out = [];
  for (let i = idx + 1; i < rows.length && rows[i].getAttribute("aria-level") !== "1"; i++) {
    const r = rows[i];
    if (r.getAttribute("aria-level") !== "2") {
      continue; // related information
    }
    const link = r.querySelector("a.monaco-link");
    out.push({
      label: r.getAttribute("aria-label") || "",
      message: r.querySelector(".marker-message")?.textContent || "",
      source: r.querySelector(".marker-source")?.textContent || "",
      code: r.querySelector(".marker-code")?.textContent || "",
      href: link ? link.getAttribute("href") : "",
      line: r.querySelector(".marker-line")?.textContent || "",
    });
  }
  // Every marker row is rendered (the list is tall enough), or not yet.
  if (arg.want >= 0 && out.length !== n) {
    return null;
  }
  return out;
}

function lensTitles() {
  return [...document.querySelectorAll(".monaco-editor .codelens-decoration a, .monaco-editor .codelens-decoration span")]
    .map((a) => a.textContent.trim())
    .filter((t) => t !== "" && t !== "|");
}

function statusItems() {
  return [...document.querySelectorAll(".statusbar-item")].map((s) => ({
    id: s.id,
    text: s.textContent.trim(),
    label: s.getAttribute("aria-label") || s.querySelector("a")?.getAttribute("aria-label") || "",
    icons: [...s.querySelectorAll(".codicon")].map((c) => [...c.classList].filter((k) => k.startsWith("codicon-")).join(" ")),
  }));
}

function notifications() {
  return [...document.querySelectorAll(".notifications-toasts .notification-list-item, .notifications-center .notification-list-item")]
    .map((n) => n.querySelector(".notification-list-item-message")?.textContent.trim() || n.textContent.trim());
}

// visibleLines is the text of the active editor's rendered lines, by line
// number, whitespace as rendered.
function visibleLines() {
  const editor = document.querySelector(".editor-group-container.active .monaco-editor") || document.querySelector(".monaco-editor");
  if (!editor) {
    return {};
  }
  const nums = [...editor.querySelectorAll(".margin-view-overlays .line-numbers")].map((n) => ({ top: parseFloat(n.parentElement.style.top), n: Number(n.textContent) }));
  const lines = [...editor.querySelectorAll(".view-lines .view-line")].map((l) => ({ top: parseFloat(l.style.top), text: l.textContent.replace(/\u00a0/g, " ") }));
  const out = {};
  for (const l of lines) {
    const num = nums.find((x) => x.top === l.top);
    if (num) {
      out[num.n] = l.text;
    }
  }
  return out;
}

// ---- acting ----

// quickInputValue is {value} of the open quick input (palette, quick
// open, go to line) when it has the keyboard focus and its value starts
// with prefix; else null. (A modal editor can have its own quick input:
// the one with the focus is the one open.)
function quickInputValue(prefix) {
  const input = document.activeElement;
  const w = input && input.matches(".quick-input-widget .quick-input-box input") ? input.closest(".quick-input-widget") : null;
  if (!w || getComputedStyle(w).display === "none") {
    return null;
  }
  return input.value.startsWith(prefix) ? { value: input.value } : null;
}

function quickInputRows() {
  return {
    focused: document.activeElement ? `${document.activeElement.tagName}.${document.activeElement.className}` : null,
    modal: !!document.querySelector(".modal-editor-part"),
    widgets: [...document.querySelectorAll(".quick-input-widget")].map((w) => ({
      shown: getComputedStyle(w).display !== "none",
      value: w.querySelector(".quick-input-box input")?.value,
      rows: [...w.querySelectorAll(".monaco-list-row")].slice(0, 8).map((r) => r.getAttribute("aria-label")),
    })),
  };
}

// quickInput opens a quick input with key (pressed again when the
// workbench dropped it) and types text into it; the value must read
// prefix+text (typed again when a keystroke was lost).
async function quickInput(key, prefix, text) {
  await gesture(`${key} to open the quick input`, () => page.keyboard.press(key), quickInputValue, prefix, quickInputRows);
  await page.keyboard.type(text, { delay: 5 });
  const want = prefix + text;
  await gesture(`the quick input to read ${JSON.stringify(want)}`, async (attempt) => {
    if (attempt > 1) {
      await page.keyboard.press("Control+A");
      await page.keyboard.type(want, { delay: 5 });
    }
  }, (w) => {
    const input = document.activeElement;
    return input && input.matches(".quick-input-widget .quick-input-box input") && input.value === w;
  }, want, quickInputRows, 5000);
}

async function command(title) {
  await quickInput("F1", ">", title);
  await until(`the palette to offer "${title}"`, (t) => {
    const w = document.activeElement && document.activeElement.closest(".quick-input-widget");
    const row = w && w.querySelector(".monaco-list-row.focused, .monaco-list-row");
    return row && (row.getAttribute("aria-label") || row.textContent).includes(t);
  }, title, quickInputRows);
  await page.keyboard.press("Enter");
}

// activeEditor is the active editor's path as its breadcrumbs show it
// (folders, file, then symbols, joined by "/") when it has the keyboard
// focus and, if rel is given, is the editor of rel; else null.
function activeEditor(rel) {
  const g = document.querySelector(".editor-group-container.active");
  if (!g || !document.activeElement || !document.activeElement.closest(".editor-group-container.active .monaco-editor")) {
    return null;
  }
  const p = [...g.querySelectorAll(".breadcrumbs-control .monaco-breadcrumb-item")].map((i) => i.textContent.trim()).join("/");
  if (rel) {
    return (p + "/").includes(rel + "/") ? p : null;
  }
  return p || "(no breadcrumbs)";
}

function describeEditor() {
  return {
    tab: document.querySelector(".editor-group-container.active .tab.active")?.getAttribute("aria-label"),
    breadcrumbs: [...document.querySelectorAll(".editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item")].map((i) => i.textContent.trim()),
    focused: document.activeElement ? `${document.activeElement.tagName}.${document.activeElement.className}` : null,
  };
}

async function openFile(rel) {
  await quickInput("Control+P", "", rel);
  const base = rel.split("/").pop();
  const dir = rel.split("/").slice(0, -1).join("/");
  await until(`quick open to offer ${rel}`, (a) => {
    const w = document.activeElement && document.activeElement.closest(".quick-input-widget");
    const row = w && w.querySelector(".monaco-list-row");
    return row && (row.getAttribute("aria-label") || "").includes(a.base) && (row.getAttribute("aria-label") || "").includes(a.dir);
  }, { base, dir }, quickInputRows);
  await page.keyboard.press("Enter");
  // The editor of that very file (another file of the same name may be
  // active), with the keyboard focus.
  await until(`the editor of ${rel}`, activeEditor, rel, describeEditor);
}

async function goTo(line, col) {
  await quickInput("Control+G", ":", `${line}:${col}`);
  await page.keyboard.press("Enter");
  await until(`the cursor at ${line}:${col}`, (a) => [...document.querySelectorAll(".statusbar-item")].some((s) => s.textContent.includes(`Ln ${a.line}, Col ${a.col}`)), { line, col },
    () => [...document.querySelectorAll(".statusbar-item")].map((s) => s.textContent));
  await until("the editor to have the keyboard focus", activeEditor, null, describeEditor);
}

// showProblems opens the Problems panel and, given a file (relative to the
// workspace folder), filters it to that file as a user would: with
// workspace diagnostics the panel lists every file of the workspace, and it
// renders only the rows in view.
async function showProblems(rel) {
  const open = await page.evaluate(() => !!document.querySelector(".markers-panel") && document.querySelector(".markers-panel").offsetParent !== null);
  if (!open) {
    await page.keyboard.press("Control+Shift+M");
  }
  await page.waitForSelector(".markers-panel", { state: "visible", timeout: budget() });
  if (rel !== undefined) {
    await filterProblems(rel);
  }
}

// The Problems view's own filter (its placeholder offers globs).
const problemsFilter = '.part.panel input[placeholder*="**/*.ts"]:visible, .part.panel textarea[placeholder*="**/*.ts"]:visible';

// filterProblems types rel into the Problems view's filter unless it
// holds it already.
async function filterProblems(rel) {
  const filter = page.locator(problemsFilter).first();
  await filter.waitFor({ state: "visible", timeout: budget() });
  if ((await filter.inputValue()) !== rel) {
    await filter.fill(rel);
  }
}

// problemsOf waits for the Problems panel to show want problems for rel
// (fileProblems) and returns them. The view can drop what was typed into
// its filter while it is still settling (it then lists every file of the
// workspace, and renders only the first of them): the user types the
// file again.
async function problemsOf(what, rel, want) {
  return await gesture(what, async (attempt) => {
    if (attempt > 1) {
      await filterProblems(rel);
    }
  }, fileProblems, { rel, want }, problemsRows, 5000);
}

async function saveActive() {
  await page.keyboard.press("Control+S");
  await until("the active editor to be saved", () => {
    const tab = document.querySelector(".editor-group-container.active .tab.active");
    return tab && !tab.classList.contains("dirty");
  }, null, () => document.querySelector(".tab.active")?.className);
}

async function clickLens(prefix) {
  const lens = page.locator(".monaco-editor .codelens-decoration a", { hasText: prefix }).first();
  await lens.waitFor({ state: "visible", timeout: budget() });
  await lens.click();
}

// quickFixMenu is what Ctrl+. showed: the code action menu's rows, or the
// editor's message (such as "No code actions available").
function quickFixMenu() {
  return {
    menu: [...document.querySelectorAll(".action-widget .monaco-list-row")].map((r) => `${r.classList.contains("focused") ? "> " : ""}${r.getAttribute("aria-label") || r.textContent.trim()}`),
    message: [...document.querySelectorAll(".monaco-editor-overlaymessage")].map((m) => m.textContent.trim()).filter((m) => m !== ""),
    lightbulb: document.querySelector(".lightBulbWidget, .lightbulb-glyph") !== null,
  };
}

// testingItems lists the Testing view's rows.
function testingItems() {
  return [...document.querySelectorAll(".test-explorer .monaco-list-row")].map((r) => ({
    label: r.getAttribute("aria-label") || "",
    level: Number(r.getAttribute("aria-level") || 0),
    icons: [...r.querySelectorAll(".codicon")].map((c) => [...c.classList].filter((k) => k.startsWith("codicon-") || k.startsWith("testing-")).join(" ")),
  }));
}

// ---- the steps ----

async function main() {
  fs.mkdirSync(scenario.artifacts, { recursive: true });
  const context = await chromium.launchPersistentContext(scenario.chrome_profile, {
    executablePath: scenario.chromium,
    headless: true,
    // Without these Chromium tries to reach its own services, which the
    // closed network turns into a flood of failing connections.
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 1600, height: 1200 },
  });
  page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => log(`page error: ${e.message}`));

  await step("workbench", async () => {
    await page.goto(scenario.url, { timeout: budget() });
    await page.waitForSelector(".monaco-workbench .part.statusbar", { timeout: budget() });
    // The extension activated and started the server: its status item
    // shows modls with the running mark.
    return await until("the modls status item to show a running server", () => {
      const s = [...document.querySelectorAll(".statusbar-item")].find((i) => i.textContent.trim().startsWith("modls") && i.querySelector(".codicon-check"));
      return s ? s.textContent.trim() : null;
    }, null, statusItems);
  });

  const t = scenario.tracker;
  await step("problems", async () => {
    await openFile(t.file);
    await showProblems(t.file);
    return await problemsOf(`${t.count} problems for ${t.file} in the Problems panel`, t.file, t.count);
  });

  const q = scenario.quickfix;
  await step("quickfix", async () => {
    // The registration the fix edits is open in an editor too, as while
    // writing the service.
    await showProblems(q.file);
    await openFile(q.edited);
    await openFile(q.file);
    await problemsOf(`the problems of ${q.file}`, q.file, -1);
    await until(`the ${q.rule} problem of ${q.file}`, (a) => [...document.querySelectorAll(".markers-panel .monaco-list-row")].some((r) => (r.getAttribute("aria-label") || "").includes(a.message)), { message: q.message }, problemsRows);
    await goTo(q.line, q.column);
    // The menu is ready when its focused entry is an action (the first
    // rows may be headers); Enter applies that one. A request the server
    // answers before it has checked the file's open text gets no actions
    // (VS Code then shows no menu, or a menu without the fix): the user
    // presses Escape and Ctrl+. again. The fix must come first.
    const tries = [];
    const offered = await gesture(`Ctrl+. to offer "${q.fix}"`, async (attempt) => {
      if (attempt > 1) {
        tries.push(await page.evaluate(quickFixMenu, null));
        await page.keyboard.press("Escape");
        await until("the editor to have the keyboard focus", activeEditor, q.file, describeEditor);
      }
      await page.keyboard.press("Control+.");
    }, (fix) => {
      const rows = [...document.querySelectorAll(".action-widget .monaco-list-row")];
      const focused = rows.find((r) => r.classList.contains("focused"));
      const items = rows.map((r) => r.getAttribute("aria-label") || r.textContent.trim());
      return focused && items.some((i) => i.includes(fix)) ? { focused: focused.getAttribute("aria-label") || focused.textContent.trim(), items } : null;
    }, q.fix, quickFixMenu, 20000).catch((e) => {
      throw new Error(`${e.message}; earlier presses showed ${JSON.stringify(tries)}`);
    });
    if (!offered.focused.includes(q.fix)) {
      throw new Error(`Ctrl+. offered ${JSON.stringify(offered.items)} with "${offered.focused}" focused; want "${q.fix}" first`);
    }
    log(`quick fix menu: ${JSON.stringify(offered)}`);
    await page.keyboard.press("Enter");
    // The fix edits the registration's file: its tab turns dirty.
    await until(`${q.edited} to be edited`, (a) => [...document.querySelectorAll(".tab")].some((t) => (t.getAttribute("aria-label") || "").startsWith(a.base) && t.classList.contains("dirty")),
      { base: q.edited.split("/").pop() }, () => [...document.querySelectorAll(".tab")].map((t) => `${t.getAttribute("aria-label")} ${t.className}`))
      .catch((e) => {
        throw new Error(`after Enter on ${JSON.stringify(offered.focused)}: ${e.message}`);
      });
    // The edited registration as the editor shows it; then the user saves
    // it, and the finding clears. (Before the save it stays: the server
    // re-checks the package, but VS Code pulls the diagnostics of the
    // edited file only, and the server sends no diagnostic refresh.)
    await openFile(q.edited);
    await goTo(q.edited_line, 1);
    const shown = await page.evaluate(visibleLines);
    await saveActive();
    const after = await until(`the ${q.rule} problem of ${q.file} to clear`, (a) => {
      const rows = [...document.querySelectorAll(".markers-panel .monaco-list-row")];
      const has = rows.some((r) => (r.getAttribute("aria-label") || "").includes(a.message));
      return has ? null : rows.map((r) => r.getAttribute("aria-label"));
    }, { message: q.message }, problemsRows);
    return { offered, after, shown };
  });

  const f = scenario.fixall;
  await step("fixall-on-save", async () => {
    await showProblems(f.file);
    await openFile(f.file);
    // Saved once its problems are shown (so the server has checked the
    // text being saved): a save right after typing gets no fixes, as the
    // server answers code actions only for text it has checked.
    await problemsOf(`the problems of ${f.file}`, f.file, f.count);
    // The save runs source.fixAll.modls and writes its edits. A save the
    // server answered before it had the fixes writes the file unchanged:
    // the user saves again.
    const file = path.join(scenario.workspace, f.file);
    const before = fs.readFileSync(file, "utf8");
    await page.keyboard.press("Control+S");
    await poll(`${f.file} to be saved with its fixes`, () => fs.readFileSync(file, "utf8") !== before, () => `${f.file} is unchanged on disk`, async () => {
      await until("the editor to have the keyboard focus", activeEditor, f.file, describeEditor);
      await page.keyboard.press("Control+S");
    }, 30000);
    const left = await problemsOf(`the fixed problems of ${f.file} to clear`, f.file, f.count_after);
    return { left };
  });

  const l = scenario.lenses;
  await step("unit-tests-lens", async () => {
    await openFile(l.file);
    await until("the module's code lenses", () => {
      const titles = [...document.querySelectorAll(".monaco-editor .codelens-decoration a")].map((a) => a.textContent.trim());
      return titles.includes("run unit tests") ? titles : null;
    }, null, lensTitles);
    await clickLens("run unit tests");
    const titles = await until("the unit tests' outcome in the lens", () => {
      const titles = [...document.querySelectorAll(".monaco-editor .codelens-decoration a")].map((a) => a.textContent.trim());
      return titles.some((x) => /^(✓ unit tests|✗ \d+ failed)/.test(x)) ? titles : null;
    }, null, lensTitles);
    return { titles };
  });

  await step("testing-view-unit", async () => {
    await command("View: Show Testing");
    const items = await until("the unit tests item with an outcome in the Testing view", (a) => {
      const rows = [...document.querySelectorAll(".test-explorer .monaco-list-row")];
      const mod = rows.find((r) => (r.getAttribute("aria-label") || "").startsWith(a.module));
      if (mod && mod.getAttribute("aria-expanded") === "false") {
        mod.querySelector(".monaco-tl-twistie")?.dispatchEvent(new MouseEvent("click", { bubbles: true }));
        return null;
      }
      const unit = rows.find((r) => /^unit tests/.test(r.getAttribute("aria-label") || ""));
      return unit && /\((Passed|Failed)\)/.test(unit.getAttribute("aria-label")) ? rows.map((r) => r.getAttribute("aria-label")) : null;
    }, { module: l.module }, testingItems);
    return { items };
  });

  await step("integration-lens", async () => {
    await openFile(l.file);
    await clickLens("run integration (sandbox)");
    const titles = await until("the sandbox outcome in the lens", () => {
      const titles = [...document.querySelectorAll(".monaco-editor .codelens-decoration a")].map((a) => a.textContent.trim());
      return titles.some((x) => /^(✓ integration|✗ \d+ failed)/.test(x)) && titles.some((x) => /^(✓ unit tests|✗ \d+ failed)/.test(x)) ? titles : null;
    }, null, lensTitles);
    const status = await until("the status bar to show the sandbox outcome", (a) => {
      const s = [...document.querySelectorAll(".statusbar-item")].find((i) => i.textContent.includes(a.name));
      return s ? { text: s.textContent.trim(), icons: [...s.querySelectorAll(".codicon")].map((c) => [...c.classList].join(" ")) } : null;
    }, { name: l.module }, statusItems);
    await command("View: Show Testing");
    const items = await until("the integration item with an outcome in the Testing view", () => {
      const rows = [...document.querySelectorAll(".test-explorer .monaco-list-row")];
      const integ = rows.find((r) => /^integration \(sandbox\)/.test(r.getAttribute("aria-label") || ""));
      return integ && /\((Passed|Failed)\)/.test(integ.getAttribute("aria-label")) ? rows.map((r) => r.getAttribute("aria-label")) : null;
    }, null, testingItems);
    return { titles, status, items };
  });

  const r = scenario.rules;
  await step("rules-setting", async () => {
    // Only this file's problems in the panel.
    await command("View: Close All Editors");
    // The user's settings.json, edited in the editor and saved.
    await command("Preferences: Open User Settings (JSON)");
    // (It opens as a tab or, in newer workbenches, a modal editor.)
    await until("the settings editor", () => {
      const ed = document.activeElement && document.activeElement.closest(".monaco-editor");
      return ed !== null && ed !== undefined && [...document.querySelectorAll(".tab.active, .modal-editor-part, [class*='modal']")].some((e) => e.textContent.includes("settings.json"));
    }, null, () => [document.activeElement?.className, document.querySelector(".tab.active")?.getAttribute("aria-label")]);
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(JSON.stringify(r.settings));
    // Saved once the editor holds all of it.
    await until("the typed settings in the editor", (rule) => {
      const ed = document.activeElement && document.activeElement.closest(".monaco-editor");
      const text = ed ? ed.querySelector(".view-lines").textContent.replace(/\u00a0/g, " ") : "";
      return text.includes(`"${rule}":"off"}`) && text.trim().endsWith("}");
    }, r.rule, () => document.activeElement?.closest(".monaco-editor")?.querySelector(".view-lines")?.textContent.slice(-200));
    await page.keyboard.press("Control+S");
    // Saved: the file holds what was typed.
    await poll(`settings.json to be saved with ${r.rule}`, () => fs.readFileSync(r.settings_file, "utf8").includes(`"${r.rule}"`), () => "settings.json is unchanged on disk");
    // Escape closes the settings editor when it is a modal one (a first
    // Escape may go to a widget the typing opened: the user presses it
    // again).
    await gesture("Escape to close the settings editor", () => page.keyboard.press("Escape"), () => {
      const m = document.querySelector(".modal-editor-part");
      return !m || m.getBoundingClientRect().width === 0;
    }, null, quickInputRows, 5000);
    await command("View: Close All Editors");
    await openFile(t.file);
    await showProblems(t.file);
    const left = await problemsOf(`${r.count_after} problems for ${t.file} once ${r.rule} is off`, t.file, r.count_after);
    // Still the same server: a restarted one would have forgotten the
    // outcomes it shows in the lens titles.
    await openFile(l.file);
    const titles = await until("the module's code lenses", () => {
      const titles = [...document.querySelectorAll(".monaco-editor .codelens-decoration a")].map((a) => a.textContent.trim());
      return titles.length >= 3 ? titles : null;
    }, null, lensTitles);
    return { left, titles };
  });

  await step("palette-check-workspace", async () => {
    await command("modls: Check workspace");
    const note = await until("the check's summary", () => {
      const n = [...document.querySelectorAll(".notification-list-item-message")].map((m) => m.textContent.trim()).find((m) => m.startsWith("modls check:"));
      return n || null;
    }, null, notifications);
    return { note };
  });

  await step("palette-run-integration", async () => {
    await openFile(l.file);
    await command("modls: Run integration for this module");
    const note = await until("the integration summary", (a) => {
      const n = [...document.querySelectorAll(".notification-list-item-message")].map((m) => m.textContent.trim()).find((m) => m.startsWith(`${a.module} integration`));
      return n || null;
    }, { module: l.module }, notifications);
    return { note };
  });

  await step("palette-show-output", async () => {
    // The panel's views share the filter text typed into the Problems
    // view: clear it, as a user reading the log would.
    await showProblems("");
    await command("modls: Show output");
    const text = await until("the modls output", () => {
      const view = document.querySelector(".output-view .view-lines");
      const t = view ? view.textContent.replace(/\u00a0/g, " ") : "";
      // The channel's first lines may be scrolled away: any of the
      // extension's or the server's lines will do.
      if (/starting .*modls|\(found in |\] modls: /.test(t)) {
        return t.slice(0, 2000);
      }
      // The view may show none of the channel's lines while a filter the
      // panel's views share is set: the Output view showing the modls
      // channel is then what the command did.
      const active = [...document.querySelectorAll(".part.panel .composite-bar .action-item.checked")].map((x) => x.textContent.trim());
      const channel = [...document.querySelectorAll(".part.panel select")].map((x) => x.options[x.selectedIndex]?.text);
      return active.includes("Output") && channel.includes("modls") ? `channel ${channel.join(", ")}` : null;
    }, null, () => ({
      output: document.querySelector(".output-view .view-lines")?.textContent.slice(-800),
      channels: [...document.querySelectorAll(".part.panel select")].map((x) => x.options[x.selectedIndex]?.text),
      panel: [...document.querySelectorAll(".part.panel .composite-bar .action-item.checked")].map((x) => x.textContent.trim()),
    }));
    return { text };
  });

  await step("palette-restart", async () => {
    await openFile(l.file);
    await command("modls: Restart server");
    // A new server knows no outcome yet: the lenses have their plain
    // titles again, and the status item shows it running.
    const titles = await until("the plain lens titles of a new server", () => {
      const titles = [...document.querySelectorAll(".monaco-editor .codelens-decoration a")].map((a) => a.textContent.trim());
      return titles.includes("run unit tests") && titles.includes("run integration (sandbox)") ? titles : null;
    }, null, lensTitles);
    const status = await until("the modls status item to show a running server", () => {
      const s = [...document.querySelectorAll(".statusbar-item")].find((i) => i.textContent.trim().startsWith("modls") && i.querySelector(".codicon-check"));
      return s ? s.textContent.trim() : null;
    }, null, statusItems);
    return { titles, status };
  });

  result.ok = result.steps.every((s) => s.ok);
  await context.close();
}

main()
  .catch((e) => {
    result.ok = false;
    result.error = e.message.split("\n").slice(0, 20).join("\n");
  })
  .finally(() => {
    save();
    process.exit(0);
  });

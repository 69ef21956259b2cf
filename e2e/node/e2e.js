'use strict';
// End-to-end client for `modls serve` built on the language client libraries
// of VS Code (vscode-languageserver-protocol over vscode-jsonrpc).
//
//     node e2e.js scenario.json
//
// scenario.json (written by e2e_test.go) names the server command, the
// workspace and what to expect. The client plays an editor session: it
// initializes with UTF-16 positions, opens a file, waits for the expected
// diagnostic, asks for code actions at it, applies the named quick fix to
// the text, checks the result, waits for the diagnostic to go, lists the
// code lenses of a file and runs the named lens's command. Every step is
// recorded in the result file (scenario.out); the exit status is 0 when
// every check passed.

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { pathToFileURL, fileURLToPath } = require('url');
const lsp = require('vscode-languageserver-protocol/node');

const scenario = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const timeoutMs = scenario.timeoutMs || 120000;
const waitMs = scenario.waitMs || 60000;
// How long the server may take to answer shutdown and to exit.
const exitMs = scenario.exitMs || 5000;

const result = {
  client: 'node vscode-languageserver-protocol',
  checks: [],
  steps: [],
  messages: [],
  progress: [],
  serverRequests: [],
};
const started = Date.now();

function elapsed() {
  return Date.now() - started;
}

function step(name, data) {
  result.steps.push(Object.assign({ name, ms: elapsed() }, data || {}));
}

function check(name, ok, detail) {
  result.checks.push({ name, ok: !!ok, detail: detail === undefined ? '' : String(detail) });
  return !!ok;
}

function writeResult() {
  result.ok = result.checks.length > 0 && result.checks.every((c) => c.ok) && !result.error;
  fs.writeFileSync(scenario.out, JSON.stringify(result, null, 2));
}

function uriOf(rel) {
  return pathToFileURL(path.join(scenario.root, rel)).href;
}

// Documents the client holds open: uri → {text, version}.
const docs = new Map();

// Diagnostics as last published: uri → {version, diagnostics}; waiters are
// re-examined at every publication.
const published = new Map();
let waiters = [];

function waitFor(what, pred, ms) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const w = {
      test() {
        let v;
        try {
          v = pred();
        } catch (e) {
          clearTimeout(w.timer);
          reject(e);
          return true;
        }
        if (v) {
          clearTimeout(w.timer);
          resolve({ value: v, ms: Date.now() - t0 });
          return true;
        }
        return false;
      },
    };
    if (w.test()) return;
    w.timer = setTimeout(() => {
      waiters = waiters.filter((x) => x !== w);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    waiters.push(w);
  });
}

function poke() {
  waiters = waiters.filter((w) => !w.test());
}

// offsetAt converts an LSP position (UTF-16 code units, the unit of a
// JavaScript string) to an index into text.
function offsetAt(text, pos) {
  let line = 0;
  let i = 0;
  while (line < pos.line) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
    line++;
  }
  const end = text.indexOf('\n', i);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(i + pos.character, lineEnd);
}

function cmpPos(a, b) {
  return a.line - b.line || a.character - b.character;
}

// applyEdits applies non-overlapping TextEdits to text, last first, so that
// every range refers to the original text.
function applyEdits(text, edits) {
  const sorted = edits.slice().sort((a, b) => cmpPos(b.range.start, a.range.start));
  for (const e of sorted) {
    const s = offsetAt(text, e.range.start);
    const en = offsetAt(text, e.range.end);
    text = text.slice(0, s) + e.newText + text.slice(en);
  }
  return { text, sorted };
}

function openDoc(conn, uri, text) {
  if (docs.has(uri)) return docs.get(uri);
  if (text === undefined) text = fs.readFileSync(fileURLToPath(uri), 'utf8');
  const languageId = uri.endsWith('.json') ? 'json' : 'go';
  const doc = { text, version: 1 };
  docs.set(uri, doc);
  conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId, version: doc.version, text },
  });
  return doc;
}

// editDoc applies edits to an open document the way an editor does: the
// buffer changes, and the server gets the same edits as incremental changes.
function editDoc(conn, uri, edits) {
  const doc = openDoc(conn, uri);
  const { text, sorted } = applyEdits(doc.text, edits);
  doc.text = text;
  doc.version++;
  conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: doc.version },
    contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })),
  });
}

function applyWorkspaceEdit(conn, edit) {
  const touched = [];
  if (edit.documentChanges) {
    for (const ch of edit.documentChanges) {
      if (ch.kind === 'create') {
        const p = fileURLToPath(ch.uri);
        if (!fs.existsSync(p) || (ch.options && ch.options.overwrite)) {
          fs.mkdirSync(path.dirname(p), { recursive: true });
          fs.writeFileSync(p, '');
        }
        touched.push(ch.uri);
      } else if (ch.kind === 'rename' || ch.kind === 'delete') {
        throw new Error(`unexpected resource operation ${ch.kind} in a quick fix`);
      } else {
        editDoc(conn, ch.textDocument.uri, ch.edits);
        touched.push(ch.textDocument.uri);
      }
    }
  } else if (edit.changes) {
    for (const [uri, edits] of Object.entries(edit.changes)) {
      editDoc(conn, uri, edits);
      touched.push(uri);
    }
  }
  return touched;
}

function hasDiag(uri, want) {
  const p = published.get(uri);
  if (!p) return undefined;
  return p.diagnostics.find(
    (d) => String(d.code) === want.code && (!want.message || d.message === want.message),
  );
}

async function main() {
  const proc = spawn(scenario.server[0], scenario.server.slice(1), {
    cwd: scenario.root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (b) => {
    stderr = (stderr + b.toString()).slice(-8000);
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  proc.on('error', (e) => {
    result.error = `starting ${scenario.server.join(' ')}: ${e.message}`;
  });

  const conn = lsp.createProtocolConnection(
    new lsp.StreamMessageReader(proc.stdout),
    new lsp.StreamMessageWriter(proc.stdin),
  );

  conn.onNotification(lsp.PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, { version: p.version, diagnostics: p.diagnostics, ms: elapsed() });
    poke();
  });
  conn.onNotification(lsp.ShowMessageNotification.type, (p) => {
    result.messages.push({ kind: 'show', type: p.type, message: p.message, ms: elapsed() });
    poke();
  });
  conn.onNotification(lsp.LogMessageNotification.type, (p) => {
    result.messages.push({ kind: 'log', type: p.type, message: p.message, ms: elapsed() });
  });
  conn.onNotification('$/progress', (p) => {
    result.progress.push({ token: p.token, value: p.value, ms: elapsed() });
    poke();
  });
  const answer = (method, reply) =>
    conn.onRequest(method, (params) => {
      result.serverRequests.push({ method, ms: elapsed() });
      return reply(params);
    });
  answer('workspace/configuration', (p) => p.items.map(() => null));
  answer('client/registerCapability', () => null);
  answer('client/unregisterCapability', () => null);
  answer('window/workDoneProgress/create', () => null);
  answer('workspace/codeLens/refresh', () => null);
  answer('workspace/diagnostic/refresh', () => null);
  answer('workspace/inlayHint/refresh', () => null);
  answer('workspace/semanticTokens/refresh', () => null);
  answer('window/showMessageRequest', (p) => {
    result.messages.push({ kind: 'request', type: p.type, message: p.message, ms: elapsed() });
    poke();
    return null;
  });
  answer('workspace/applyEdit', (p) => {
    applyWorkspaceEdit(conn, p.edit);
    return { applied: true };
  });
  conn.listen();

  // The scenario ends with its last step or with the server's death.
  const died = exited.then((ex) => {
    throw new Error(`the server exited during the scenario: code ${ex.code}, signal ${ex.signal}`);
  });
  try {
    await Promise.race([scenarioSteps(conn), died]);
  } catch (e) {
    result.error = e && e.message ? e.message : String(e);
  }

  // Shut down politely, then make sure the process is gone.
  try {
    await Promise.race([conn.sendRequest(lsp.ShutdownRequest.type), delay(exitMs)]);
    await conn.sendNotification(lsp.ExitNotification.type);
    // As VS Code's client does after exit: end the stream to the server.
    conn.end();
  } catch (e) {
    // The server may already be gone; its exit status says why.
  }
  died.catch(() => {});
  const ex = await Promise.race([exited, delay(exitMs).then(() => null)]);
  if (ex === null) {
    proc.kill('SIGKILL');
    check('server exits after shutdown and exit', false, `killed after ${exitMs} ms`);
  } else {
    check('server exits after shutdown and exit', ex.code === 0, `exit code ${ex.code}, signal ${ex.signal}`);
  }
  conn.dispose();
  result.stderr = stderr;
  writeResult();
  process.exit(result.ok ? 0 : 1);
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function scenarioSteps(conn) {
  const rootUri = pathToFileURL(scenario.root).href;
  const init = await conn.sendRequest(lsp.InitializeRequest.type, {
    processId: process.pid,
    clientInfo: { name: 'modls-e2e-node', version: '1' },
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(scenario.root) }],
    capabilities: {
      general: { positionEncodings: ['utf-16'] },
      workspace: {
        applyEdit: true,
        workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
        configuration: true,
        workspaceFolders: true,
        executeCommand: { dynamicRegistration: false },
        codeLens: { refreshSupport: true },
        didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      },
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: true },
        publishDiagnostics: {
          relatedInformation: true,
          versionSupport: true,
          codeDescriptionSupport: true,
          dataSupport: true,
          tagSupport: { valueSet: [1, 2] },
        },
        codeAction: {
          codeActionLiteralSupport: {
            codeActionKind: {
              valueSet: ['', 'quickfix', 'refactor', 'source', 'source.organizeImports', 'source.fixAll'],
            },
          },
          isPreferredSupport: true,
          dataSupport: true,
          resolveSupport: { properties: ['edit'] },
        },
        codeLens: {},
      },
      window: { workDoneProgress: true, showMessage: {} },
    },
  });
  const caps = init.capabilities || {};
  step('initialize', { serverInfo: init.serverInfo || null, capabilities: caps });
  check(
    'position encoding is utf-16',
    caps.positionEncoding === undefined || caps.positionEncoding === 'utf-16',
    caps.positionEncoding,
  );
  conn.sendNotification(lsp.InitializedNotification.type, {});

  // Diagnostics of the opened file.
  const fileUri = uriOf(scenario.file);
  openDoc(conn, fileUri);
  step('didOpen', { uri: fileUri });
  const want = scenario.diagnostic;
  let diag;
  try {
    const r = await waitFor(`diagnostic ${want.code} "${want.message}"`, () => hasDiag(fileUri, want), waitMs);
    diag = r.value;
    step('diagnostics', { waitedMs: r.ms });
  } catch (e) {
    check(`diagnostic ${want.code} published`, false, e.message);
  }
  result.diagnostics = (published.get(fileUri) || { diagnostics: [] }).diagnostics;
  if (!diag) return;
  if (scenario.settleMs) {
    await delay(scenario.settleMs);
    diag = hasDiag(fileUri, want) || diag;
  }
  check(`diagnostic ${want.code} published`, true, diag.message);
  if (want.source) check('diagnostic source', diag.source === want.source, diag.source);

  // The quick fix at the diagnostic.
  const actions =
    (await conn.sendRequest(lsp.CodeActionRequest.type, {
      textDocument: { uri: fileUri },
      range: diag.range,
      context: { diagnostics: [diag], triggerKind: 1 },
    })) || [];
  result.codeActions = actions.map((a) => ({
    title: a.title,
    kind: a.kind || null,
    hasEdit: !!a.edit,
    command: typeof a.command === 'string' ? a.command : a.command ? a.command.command : null,
  }));
  step('codeAction', { count: actions.length });
  let action = actions.find((a) => a.title === scenario.fix.title);
  if (!check(`code action "${scenario.fix.title}"`, action, result.codeActions.map((a) => a.title).join(', '))) return;
  check('code action kind is quickfix', action.kind === 'quickfix', action.kind);
  if (!action.edit && caps.codeActionProvider && caps.codeActionProvider.resolveProvider) {
    action = await conn.sendRequest(lsp.CodeActionResolveRequest.type, action);
    step('codeAction/resolve');
  }
  if (action.edit) {
    result.fixFiles = applyWorkspaceEdit(conn, action.edit);
  }
  if (action.command && typeof action.command === 'object') {
    await conn.sendRequest(lsp.ExecuteCommandRequest.type, {
      command: action.command.command,
      arguments: action.command.arguments,
    });
  }
  step('applyFix');
  const fixUri = uriOf(scenario.fix.file);
  const fixed = docs.get(fixUri);
  result.fixedText = fixed ? fixed.text : null;
  check(
    `fixed ${scenario.fix.file} contains ${JSON.stringify(scenario.fix.contains)}`,
    fixed && fixed.text.includes(scenario.fix.contains),
    fixed ? '' : 'the fix did not edit the file',
  );
  if (scenario.expectCleared) {
    try {
      const r = await waitFor(`${want.code} to be cleared`, () => published.has(fileUri) && !hasDiag(fileUri, want), waitMs);
      check(`diagnostic ${want.code} cleared after the fix`, true, `${r.ms} ms`);
    } catch (e) {
      check(`diagnostic ${want.code} cleared after the fix`, false, e.message);
    }
    result.diagnosticsAfterFix = (published.get(fileUri) || { diagnostics: [] }).diagnostics;
  }

  // Code lenses and the lens's command.
  const lensUri = uriOf(scenario.lens.file);
  openDoc(conn, lensUri);
  let lenses = (await conn.sendRequest(lsp.CodeLensRequest.type, { textDocument: { uri: lensUri } })) || [];
  if (caps.codeLensProvider && caps.codeLensProvider.resolveProvider) {
    lenses = await Promise.all(
      lenses.map((l) => (l.command ? l : conn.sendRequest(lsp.CodeLensResolveRequest.type, l))),
    );
  }
  result.codeLenses = lenses.map((l) => ({
    title: l.command ? l.command.title : null,
    command: l.command ? l.command.command : null,
    arguments: l.command ? l.command.arguments || null : null,
    line: l.range.start.line,
  }));
  step('codeLens', { count: lenses.length });
  const lens = lenses.find((l) => l.command && l.command.title.includes(scenario.lens.title));
  if (!check(`code lens "${scenario.lens.title}"`, lens, result.codeLenses.map((l) => l.title).join(', '))) return;
  const before = result.messages.length;
  const progressBefore = result.progress.length;
  const t0 = Date.now();
  try {
    const r = await conn.sendRequest(lsp.ExecuteCommandRequest.type, {
      command: lens.command.command,
      arguments: lens.command.arguments,
    });
    result.commandResult = r === undefined ? null : r;
    result.commandMs = Date.now() - t0;
  } catch (e) {
    result.commandError = e.message;
  }
  step('executeCommand', { command: lens.command.command });
  check(`"${scenario.lens.title}" command succeeds`, !result.commandError, result.commandError || '');
  // The outcome is the reply or a message to the user, possibly shortly
  // after the reply.
  const outcome = () =>
    result.messages.slice(before).find((m) => m.kind !== 'log') ||
    (result.commandResult !== null && result.commandResult !== undefined ? { result: true } : null);
  try {
    await waitFor('the outcome of the command', outcome, scenario.commandOutcomeMs || 10000);
  } catch (e) {
    // Recorded by the check below.
  }
  result.commandMessages = result.messages.slice(before).filter((m) => m.kind !== 'log');
  result.commandProgress = result.progress.slice(progressBefore);
  const got = outcome();
  check(
    `"${scenario.lens.title}" reports an outcome`,
    got,
    got
      ? got.message || JSON.stringify(result.commandResult)
      : 'no reply value and no window/showMessage after the command',
  );
}

const timer = setTimeout(() => {
  result.error = `scenario timed out after ${timeoutMs} ms`;
  writeResult();
  process.exit(1);
}, timeoutMs);

main().catch((e) => {
  result.error = e && e.stack ? e.stack : String(e);
  writeResult();
  process.exit(1);
});

'use strict';
// Navigation client for `modls serve` on the language client libraries of
// VS Code (vscode-languageserver-protocol over vscode-jsonrpc).
//
//     node nav.js scenario.json
//
// scenario.json (written by nav_test.go) lists requests: the client opens
// the files each names, sends it and records the answer; a workspace edit
// it is told to apply changes its documents (and the server hears the
// changes), and the text of the documents named is recorded after it.
// nav_test.go asserts on the record.

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { pathToFileURL, fileURLToPath } = require('url');
const lsp = require('vscode-languageserver-protocol/node');

const scenario = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const result = { client: 'node vscode-languageserver-protocol', results: [] };
const docs = new Map();

function uriOf(rel) {
  return pathToFileURL(path.join(scenario.root, rel)).href;
}

function offsetAt(text, pos) {
  let i = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
  }
  const end = text.indexOf('\n', i);
  return Math.min(i + pos.character, end < 0 ? text.length : end);
}

function open(conn, uri) {
  if (docs.has(uri)) return docs.get(uri);
  const doc = { text: fs.readFileSync(fileURLToPath(uri), 'utf8'), version: 1 };
  docs.set(uri, doc);
  conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: uri.endsWith('.json') ? 'json' : 'go', version: 1, text: doc.text },
  });
  return doc;
}

function edit(conn, uri, edits) {
  const doc = open(conn, uri);
  const sorted = edits.slice().sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
  for (const e of sorted) {
    doc.text = doc.text.slice(0, offsetAt(doc.text, e.range.start)) + e.newText + doc.text.slice(offsetAt(doc.text, e.range.end));
  }
  doc.version++;
  conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: doc.version },
    contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })),
  });
}

async function main() {
  const proc = spawn(scenario.server[0], scenario.server.slice(1), { cwd: scenario.root, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = lsp.createProtocolConnection(new lsp.StreamMessageReader(proc.stdout), new lsp.StreamMessageWriter(proc.stdin));
  conn.listen();
  await conn.sendRequest(lsp.InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(scenario.root).href,
    workspaceFolders: [{ uri: pathToFileURL(scenario.root).href, name: 'ws' }],
    capabilities: {
      workspace: { workspaceEdit: { documentChanges: true } },
      textDocument: { rename: { prepareSupport: true }, hover: { contentFormat: ['markdown'] } },
    },
  });
  conn.sendNotification(lsp.InitializedNotification.type, {});
  for (const r of scenario.requests) {
    for (const rel of r.open || []) open(conn, uriOf(rel));
    const entry = { name: r.name };
    try {
      entry.result = await conn.sendRequest(r.method, r.params);
      if (r.apply && entry.result) {
        const we = entry.result;
        for (const ch of we.documentChanges || []) edit(conn, ch.textDocument.uri, ch.edits);
        for (const [uri, edits] of Object.entries(we.changes || {})) edit(conn, uri, edits);
        entry.texts = {};
        for (const rel of r.read || []) entry.texts[rel] = open(conn, uriOf(rel)).text;
      }
    } catch (e) {
      entry.error = e.message;
    }
    result.results.push(entry);
  }
  await conn.sendRequest(lsp.ShutdownRequest.type);
  conn.sendNotification(lsp.ExitNotification.type);
  await new Promise((resolve) => {
    const t = setTimeout(resolve, scenario.exitMs || 5000);
    proc.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

main()
  .then(() => {
    fs.writeFileSync(scenario.out, JSON.stringify(result, null, 2));
    process.exit(0);
  })
  .catch((e) => {
    result.error = e && e.stack ? e.stack : String(e);
    fs.writeFileSync(scenario.out, JSON.stringify(result, null, 2));
    process.exit(1);
  });

-- End-to-end client for `modls serve` in headless Neovim (0.7 and later),
-- using Neovim's own LSP client.
--
--     MODLS_E2E_SCENARIO=scenario.json \
--         nvim --headless -u NONE -i NONE -n -c "luafile e2e.lua"
--
-- scenario.json (written by e2e_test.go) names the server command, the
-- workspace and what to expect. The script opens a file, waits for the
-- expected diagnostic, asks for code actions at it, applies the named quick
-- fix with vim.lsp.util.apply_workspace_edit, checks the buffer, waits for
-- the diagnostic to go, lists the code lenses of a file and runs the named
-- lens's command. Every step is recorded in the result file (scenario.out);
-- Neovim exits 0 when every check passed and 1 otherwise.

local scenario_path = os.getenv("MODLS_E2E_SCENARIO")
local function read_file(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end
local scenario = vim.fn.json_decode(read_file(scenario_path))
local wait_ms = scenario.waitMs or 60000
-- How long the server may take to exit after shutdown and exit.
local exit_ms = scenario.exitMs or 5000

local result = {
  client = "neovim " .. tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch),
  checks = {},
  steps = {},
  messages = {},
  progress = {},
}
local t_start = vim.loop.hrtime()
local function elapsed()
  return math.floor((vim.loop.hrtime() - t_start) / 1e6)
end

local function step(name, data)
  local s = data or {}
  s.name = name
  s.ms = elapsed()
  table.insert(result.steps, s)
end

local function check(name, ok, detail)
  table.insert(result.checks, { name = name, ok = ok and true or false, detail = tostring(detail or "") })
  return ok
end

local function write_result()
  local ok = #result.checks > 0 and result.error == nil
  for _, c in ipairs(result.checks) do
    if not c.ok then
      ok = false
    end
  end
  result.ok = ok
  local f = assert(io.open(scenario.out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  return ok
end

local function abs(rel)
  return scenario.root .. "/" .. rel
end

-- Diagnostics as the server last published them, by URI, before Neovim
-- converts them.
local published = {}

local function find_diag(uri, want)
  local p = published[uri]
  if not p then
    return nil
  end
  for _, d in ipairs(p) do
    if tostring(d.code) == want.code and (want.message == nil or want.message == "" or d.message == want.message) then
      return d
    end
  end
  return nil
end

local handlers = {
  ["textDocument/publishDiagnostics"] = function(err, res, ctx, config)
    published[res.uri] = res.diagnostics
    return vim.lsp.handlers["textDocument/publishDiagnostics"](err, res, ctx, config)
  end,
  ["window/showMessage"] = function(_, res)
    table.insert(result.messages, { kind = "show", type = res.type, message = res.message, ms = elapsed() })
  end,
  ["window/logMessage"] = function(_, res)
    table.insert(result.messages, { kind = "log", type = res.type, message = res.message, ms = elapsed() })
  end,
  ["$/progress"] = function(err, res, ctx, config)
    table.insert(result.progress, { value = res.value, ms = elapsed() })
    return vim.lsp.handlers["$/progress"](err, res, ctx, config)
  end,
}

local exited = nil
local client_id = vim.lsp.start_client({
  name = "modls",
  cmd = scenario.server,
  cmd_cwd = scenario.root,
  root_dir = scenario.root,
  handlers = handlers,
  on_exit = function(code, signal)
    exited = { code = code, signal = signal }
  end,
})

local function open(rel, filetype)
  vim.cmd("edit " .. vim.fn.fnameescape(abs(rel)))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = filetype or "go"
  vim.lsp.buf_attach_client(buf, client_id)
  return buf
end

local function buf_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
end

local function request(client, method, params, buf)
  local resp, err = client.request_sync(method, params, wait_ms, buf)
  if not resp then
    error(method .. ": " .. tostring(err))
  end
  if resp.err then
    error(method .. ": " .. (resp.err.message or vim.inspect(resp.err)))
  end
  return resp.result
end

local function scenario_steps()
  if not client_id then
    error("vim.lsp.start_client failed for " .. table.concat(scenario.server, " "))
  end
  local client = vim.lsp.get_client_by_id(client_id)
  local buf = open(scenario.file)
  vim.wait(wait_ms, function()
    return client.initialized or exited ~= nil
  end, 10)
  if exited then
    error("the server exited during initialization: code " .. tostring(exited.code))
  end
  local caps = client.server_capabilities or {}
  step("initialize", { offsetEncoding = client.offset_encoding })
  check("position encoding is utf-16", client.offset_encoding == "utf-16", client.offset_encoding)

  -- Diagnostics of the opened file.
  local uri = vim.uri_from_bufnr(buf)
  local want = scenario.diagnostic
  local diag = nil
  local t0 = elapsed()
  vim.wait(wait_ms, function()
    diag = find_diag(uri, want)
    return diag ~= nil
  end, 10)
  result.diagnostics = published[uri] or {}
  if not check("diagnostic " .. want.code .. " published", diag, diag and diag.message or ("none within " .. wait_ms .. " ms")) then
    return
  end
  step("diagnostics", { waitedMs = elapsed() - t0 })
  if want.source then
    check("diagnostic source", diag.source == want.source, diag.source)
  end
  -- Neovim shows it: vim.diagnostic holds it at the same line.
  local shown = false
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if tostring(d.code) == want.code and d.lnum == diag.range.start.line then
      shown = true
    end
  end
  check("vim.diagnostic lists " .. want.code .. " on its line", shown, "line " .. diag.range.start.line)

  if scenario.settleMs then
    vim.wait(scenario.settleMs, function()
      return false
    end, 50)
    diag = find_diag(uri, want) or diag
  end

  -- The quick fix at the diagnostic.
  local actions = request(client, "textDocument/codeAction", {
    textDocument = { uri = uri },
    range = diag.range,
    context = { diagnostics = { diag } },
  }, buf) or {}
  result.codeActions = {}
  local action = nil
  local titles = {}
  for _, a in ipairs(actions) do
    table.insert(result.codeActions, { title = a.title, kind = a.kind, hasEdit = a.edit ~= nil })
    table.insert(titles, a.title)
    if a.title == scenario.fix.title and not action then
      action = a
    end
  end
  step("codeAction", { count = #actions })
  if not check('code action "' .. scenario.fix.title .. '"', action, table.concat(titles, ", ")) then
    return
  end
  check("code action kind is quickfix", action.kind == "quickfix", action.kind)
  if not action.edit and type(caps.codeActionProvider) == "table" and caps.codeActionProvider.resolveProvider then
    action = request(client, "codeAction/resolve", action, buf)
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  if type(action.command) == "table" then
    request(client, "workspace/executeCommand", action.command, buf)
  end
  step("applyFix")
  -- The fix may edit a file that was not open: Neovim loaded it into a
  -- buffer; attach it as an editor configured for Go would.
  local fix_buf = vim.fn.bufnr(abs(scenario.fix.file))
  if fix_buf < 0 or not vim.api.nvim_buf_is_loaded(fix_buf) then
    check("fix edits " .. scenario.fix.file, false, "no buffer for the file after the fix")
    return
  end
  if not vim.lsp.buf_is_attached(fix_buf, client_id) then
    vim.bo[fix_buf].filetype = "go"
    vim.lsp.buf_attach_client(fix_buf, client_id)
  end
  local fixed = buf_text(fix_buf)
  result.fixedText = fixed
  check(
    "fixed " .. scenario.fix.file .. " contains " .. vim.fn.json_encode(scenario.fix.contains),
    fixed:find(scenario.fix.contains, 1, true) ~= nil
  )
  if scenario.expectCleared then
    local t1 = elapsed()
    local cleared = vim.wait(wait_ms, function()
      return published[uri] ~= nil and find_diag(uri, want) == nil
    end, 10)
    check("diagnostic " .. want.code .. " cleared after the fix", cleared, (elapsed() - t1) .. " ms")
    result.diagnosticsAfterFix = published[uri] or {}
  end

  -- Code lenses, as Neovim's own codelens module sees them and as a
  -- request lists them, then the lens's command.
  local lens_buf = vim.fn.bufnr(abs(scenario.lens.file))
  if lens_buf < 0 or not vim.lsp.buf_is_attached(lens_buf, client_id) then
    lens_buf = open(scenario.lens.file)
  end
  local lens_uri = vim.uri_from_bufnr(lens_buf)
  vim.api.nvim_set_current_buf(lens_buf)
  vim.lsp.codelens.refresh()
  vim.wait(wait_ms, function()
    return #vim.lsp.codelens.get(lens_buf) > 0
  end, 10)
  local shown_titles = {}
  for _, l in ipairs(vim.lsp.codelens.get(lens_buf)) do
    table.insert(shown_titles, l.command and l.command.title or "")
  end
  result.codeLensesShown = shown_titles
  local lenses = request(client, "textDocument/codeLens", { textDocument = { uri = lens_uri } }, lens_buf) or {}
  result.codeLenses = {}
  local lens = nil
  local lens_titles = {}
  for _, l in ipairs(lenses) do
    if not l.command and type(caps.codeLensProvider) == "table" and caps.codeLensProvider.resolveProvider then
      l = request(client, "codeLens/resolve", l, lens_buf)
    end
    local title = l.command and l.command.title or ""
    table.insert(result.codeLenses, {
      title = title,
      command = l.command and l.command.command or "",
      line = l.range.start.line,
    })
    table.insert(lens_titles, title)
    if not lens and title:find(scenario.lens.title, 1, true) then
      lens = l
    end
  end
  step("codeLens", { count = #lenses })
  local in_shown = false
  for _, t in ipairs(shown_titles) do
    if t:find(scenario.lens.title, 1, true) then
      in_shown = true
    end
  end
  check('vim.lsp.codelens shows "' .. scenario.lens.title .. '"', in_shown, table.concat(shown_titles, ", "))
  if not check('code lens "' .. scenario.lens.title .. '"', lens, table.concat(lens_titles, ", ")) then
    return
  end
  local before = #result.messages
  local t2 = vim.loop.hrtime()
  local resp, err = client.request_sync("workspace/executeCommand", {
    command = lens.command.command,
    arguments = lens.command.arguments,
  }, wait_ms, lens_buf)
  result.commandMs = math.floor((vim.loop.hrtime() - t2) / 1e6)
  local cmd_err = err or (resp and resp.err and (resp.err.message or vim.inspect(resp.err))) or nil
  result.commandError = cmd_err
  if resp and resp.result ~= nil then
    result.commandResult = resp.result
  end
  step("executeCommand", { command = lens.command.command })
  check('"' .. scenario.lens.title .. '" command succeeds', cmd_err == nil, cmd_err)
  -- The outcome: a message to the user, or the reply's value.
  local function outcome()
    for i = before + 1, #result.messages do
      if result.messages[i].kind ~= "log" then
        return result.messages[i].message
      end
    end
    if result.commandResult ~= nil then
      return vim.fn.json_encode(result.commandResult)
    end
    return nil
  end
  vim.wait(scenario.commandOutcomeMs or 10000, function()
    return outcome() ~= nil
  end, 10)
  result.commandMessages = {}
  for i = before + 1, #result.messages do
    if result.messages[i].kind ~= "log" then
      table.insert(result.commandMessages, result.messages[i])
    end
  end
  local got = outcome()
  check('"' .. scenario.lens.title .. '" reports an outcome', got ~= nil, got or "no reply value and no window/showMessage after the command")
end

local ok, err = pcall(scenario_steps)
if not ok then
  result.error = tostring(err)
end

-- Shut down: shutdown, exit, and the process's status.
if client_id then
  vim.lsp.stop_client(client_id)
  vim.wait(exit_ms, function()
    return exited ~= nil
  end, 10)
  check("server exits after shutdown and exit", exited ~= nil and exited.code == 0,
    exited and ("exit code " .. tostring(exited.code) .. ", signal " .. tostring(exited.signal)) or ("still running after " .. exit_ms .. " ms"))
end

if write_result() then
  vim.cmd("qall!")
else
  vim.cmd("cquit 1")
end

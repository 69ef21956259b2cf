-- Acceptance test of the modls plugin in headless Neovim (0.7 and later).
-- editors/editors_test.go runs it as
--
--     MODLS_TEST_WORKSPACE=<copy of examples/violations> MODLS_TEST_OUT=out.json \
--         nvim --headless -u NONE -i NONE -n --cmd "set rtp+=<repo>/editors/nvim" \
--         -c "luafile test/acceptance.lua"
--
-- with modls first on the PATH. It opens a violating file, waits for its
-- diagnostics, applies the MOD002 quick fix, checks the edited buffer,
-- waits for the code lenses, runs :ModlsCheck and :ModlsRestart, and
-- writes what it saw to MODLS_TEST_OUT. Neovim exits 0 when every check
-- passed.
local ws = assert(os.getenv("MODLS_TEST_WORKSPACE"), "MODLS_TEST_WORKSPACE not set")
local out_path = assert(os.getenv("MODLS_TEST_OUT"), "MODLS_TEST_OUT not set")
local wait_ms = tonumber(os.getenv("MODLS_TEST_WAIT_MS") or "") or 90000

vim.cmd("filetype on")

local result = { nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor), checks = {}, log = {} }

local start = vim.loop.hrtime()
local function check(name, ok, detail)
  local ms = math.floor((vim.loop.hrtime() - start) / 1e6)
  table.insert(result.checks, { name = name, ok = ok and true or false, ms = ms, detail = detail and tostring(detail) or "" })
  return ok
end

local function finish()
  local ok = #result.checks > 0
  for _, c in ipairs(result.checks) do
    ok = ok and c.ok
  end
  result.ok = ok
  local f = assert(io.open(out_path, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd(ok and "qall!" or "cquit! 1")
end

local function run()
  local modls = require("modls")
  modls.setup({ rules = {}, open_quickfix = false })
  check("native config API chosen only when present", modls.has_native_config() == (vim.lsp.config ~= nil and vim.lsp.enable ~= nil))

  local service = ws .. "/modules/standard/ledger/service.go"
  local module_go = ws .. "/modules/standard/ledger/module.go"
  vim.cmd("edit " .. vim.fn.fnameescape(service))
  local buf = vim.api.nvim_get_current_buf()
  check("go buffer attached", vim.wait(wait_ms, function()
    return #modls.clients(buf) > 0
  end, 50), vim.bo[buf].filetype)

  local function mod002()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == "modls" and d.lnum == 53 and (d.code == "MOD002" or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == "MOD002")) then
        return d
      end
    end
  end
  local got = vim.wait(wait_ms, function()
    return mod002() ~= nil
  end, 50)
  local d = mod002()
  local all = {}
  for _, x in ipairs(vim.diagnostic.get(buf)) do
    table.insert(all, string.format("%d:%d %s %s", x.lnum + 1, x.col + 1, tostring(x.code or (x.user_data and x.user_data.lsp and x.user_data.lsp.code)), x.message))
  end
  result.diagnostics = all
  if not check("MOD002 diagnostic at service.go:54", got, table.concat(all, "\n")) then
    return
  end
  check("diagnostic message", d.message:find("exported method Sum", 1, true) ~= nil, d.message)

  -- The quick fix, asked for at the diagnostic as an editor would.
  local client = modls.clients(buf)[1]
  local lsp_diag = {
    range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity,
    code = "MOD002",
    source = d.source,
    message = d.message,
  }
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, wait_ms) or {}
  local action
  local titles = {}
  for _, r in pairs(responses) do
    for _, a in ipairs(r.result or {}) do
      table.insert(titles, a.title)
      if a.title == "Add ServiceMethod entries" then
        action = a
      end
    end
  end
  result.actions = titles
  if not check("quick fix offered", action ~= nil, table.concat(titles, "; ")) then
    return
  end
  check("quick fix kind", action.kind == "quickfix", action.kind)
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
  end
  if action.command then
    local cmd = type(action.command) == "table" and action.command or action
    vim.lsp.buf_request_sync(buf, "workspace/executeCommand", { command = cmd.command, arguments = cmd.arguments }, wait_ms)
  end
  local mbuf = vim.fn.bufnr(module_go)
  check("the fix edited module.go", mbuf > 0, mbuf)
  local text = table.concat(vim.api.nvim_buf_get_lines(mbuf, 0, -1, false), "\n")
  local registration = text:match('s%.RegisterService%("ledger%.totals", m%.totals,%s*framework%.ServiceMethod{.-}%)')
  check("module.go now documents Sum", text:find('Name:        "Sum"', 1, true) ~= nil and text:find('Returns: "(int64, error)"', 1, true) ~= nil
    and registration ~= nil, registration or text)
  check("service.go buffer unchanged", not vim.bo[buf].modified)
  check("MOD002 cleared after the fix", vim.wait(wait_ms, function()
    return mod002() == nil
  end, 50))

  -- Code lenses on the module's type, refreshed by the plugin on BufEnter.
  vim.cmd("buffer " .. mbuf)
  local function lens_titles()
    local titles = {}
    for _, l in ipairs(vim.lsp.codelens.get(mbuf) or {}) do
      if l.command then
        table.insert(titles, l.command.title)
      end
    end
    return titles
  end
  local has_lenses = vim.wait(wait_ms, function()
    vim.cmd("doautocmd CursorHold")
    return vim.tbl_contains(lens_titles(), "validate module")
  end, 200)
  result.lenses = lens_titles()
  check("code lenses on the Module type", has_lenses, table.concat(lens_titles(), ", "))

  -- :ModlsCheck into the quickfix list (modls check reads the files on
  -- disk, where MOD002 is still there).
  local done = false
  vim.api.nvim_create_autocmd("User", { pattern = "ModlsCheckDone", once = true, callback = function()
    done = true
  end })
  vim.cmd("ModlsCheck")
  check(":ModlsCheck finished", vim.wait(wait_ms, function()
    return done
  end, 50))
  local qf = vim.fn.getqflist({ title = 1, items = 1 })
  result.quickfix_title = qf.title
  result.quickfix_count = #qf.items
  local found = false
  local by_rule = {}
  for _, it in ipairs(qf.items) do
    local name = vim.api.nvim_buf_get_name(it.bufnr)
    local rule = it.text:match("^(MOD%d%d%d) ")
    by_rule[rule or "?"] = (by_rule[rule or "?"] or 0) + 1
    if rule == "MOD002" and name:sub(-#"/modules/standard/ledger/service.go") == "/modules/standard/ledger/service.go" and it.lnum == 54 then
      found = true
      check("MOD002 entry has its column and type", it.col == 18 and it.type == "E", it.col .. " " .. it.type)
    end
  end
  result.quickfix_rules = by_rule
  check("quickfix has MOD002 at ledger/service.go:54", found, vim.inspect(by_rule))
  check("quickfix title", qf.title == "modls check ./...", qf.title)

  -- :ModlsRestart brings a new server to the same buffers.
  vim.cmd("buffer " .. buf)
  local old = client.id
  vim.cmd("ModlsRestart")
  check("restart attached a new client", vim.wait(wait_ms, function()
    local c = modls.clients(buf)[1]
    return c ~= nil and c.id ~= old
  end, 50))
  -- The new server sees module.go as edited (unsaved) and still reports
  -- its other problems: the ledger_archive name (MOD001).
  check("diagnostics after restart", vim.wait(wait_ms, function()
    for _, x in ipairs(vim.diagnostic.get(mbuf)) do
      if x.source == "modls" and x.message:find("ledger_archive", 1, true) then
        return true
      end
    end
    return false
  end, 50))
  check("module.go attached to the new client", #modls.clients(mbuf) == 1 and modls.clients(mbuf)[1].id ~= old)
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  result.error = err
  check("script ran", false, err)
end
finish()

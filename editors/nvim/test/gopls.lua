-- modls beside gopls in headless Neovim (0.7 and later). editors/editors_test.go
-- TestNeovimBesideGopls runs it as
--
--     MODLS_TEST_FILE=<a service.go of a copy of examples/violations> \
--     MODLS_TEST_GOPLS=<gopls> MODLS_TEST_OUT=out.json \
--         nvim --headless -u NONE -i NONE -n --cmd "set rtp+=<repo>/editors/nvim" \
--         -c "luafile test/gopls.lua"
--
-- with modls first on the PATH. The buffer gets a type error and a new
-- service method (which MOD002 reports, so that modls's diagnostics show
-- which version it has checked). With compile_errors = "auto", modls
-- reports the type error alone, leaves it to gopls once a gopls client is
-- attached to the buffer, and reports it again when gopls has gone;
-- set_compile_errors("on") and ("off") force either way. Each step waits
-- for the state the previous one could not have left.
local file = assert(os.getenv("MODLS_TEST_FILE"), "MODLS_TEST_FILE not set")
local gopls = assert(os.getenv("MODLS_TEST_GOPLS"), "MODLS_TEST_GOPLS not set")
local out_path = assert(os.getenv("MODLS_TEST_OUT"), "MODLS_TEST_OUT not set")
local wait_ms = tonumber(os.getenv("MODLS_TEST_WAIT_MS") or "") or 120000

vim.cmd("filetype on")

local result = { checks = {} }
local start = vim.loop.hrtime()
local function check(name, ok, detail)
  local ms = math.floor((vim.loop.hrtime() - start) / 1e6)
  table.insert(result.checks, { name = name, ok = ok and true or false, ms = ms, detail = detail and tostring(detail) or "" })
  return ok
end

local modls = require("modls")

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function client_named(buf, name)
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
    if c.name == name then
      return c
    end
  end
  return nil
end

-- diags lists a client's diagnostics of buf as "code message".
local function diags(buf, client)
  local out = {}
  if client == nil then
    return out
  end
  for _, d in ipairs(vim.diagnostic.get(buf, { namespace = vim.lsp.diagnostic.get_namespace(client.id) })) do
    table.insert(out, tostring(code_of(d)) .. " " .. d.message)
  end
  return out
end

local function has(list, pattern)
  for _, l in ipairs(list) do
    if l:match(pattern) then
      return true
    end
  end
  return false
end

-- wait_modls waits until modls's diagnostics of buf name Lend (MOD002,
-- so the edited text was checked) and hold a compile finding or not.
local function wait_modls(buf, name, want_compile)
  local seen = {}
  local ok = vim.wait(wait_ms, function()
    seen = diags(buf, client_named(buf, "modls"))
    return has(seen, "^MOD002 .*Lend") and has(seen, "^compile ") == want_compile
  end, 50)
  return check(name, ok, table.concat(seen, "\n"))
end

local function run()
  modls.setup({})
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  -- As if typed: a type error and an undocumented service method.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, {
    "",
    'var broken int = "not an int"',
    "",
    "func (t *Totals) Lend(ctx context.Context) error { return nil }",
  })
  if not wait_modls(buf, "auto without gopls: modls reports the type error", true) then
    return
  end

  local id = vim.lsp.start_client({ name = "gopls", cmd = { gopls }, root_dir = modls.root_for(buf) })
  if not check("gopls starts", id ~= nil) then
    return
  end
  vim.lsp.buf_attach_client(buf, id)
  local seen = {}
  local ok = vim.wait(wait_ms, function()
    seen = diags(buf, vim.lsp.get_client_by_id(id))
    return has(seen, "string") -- cannot use "not an int" (untyped string constant) as int value
  end, 50)
  if not check("gopls reports the type error", ok, table.concat(seen, "\n")) then
    return
  end
  -- The user pauses (Neovim 0.8 and later have noticed gopls already,
  -- on LspAttach).
  vim.cmd("doautocmd CursorHold")
  if not wait_modls(buf, "auto beside gopls: modls leaves the type error to gopls", false) then
    return
  end

  modls.set_compile_errors("on")
  if not wait_modls(buf, "on beside gopls: modls reports the type error", true) then
    return
  end
  modls.set_compile_errors("auto")
  if not wait_modls(buf, "auto again beside gopls: left out", false) then
    return
  end

  -- gopls goes; the next edit shows the type error from modls again.
  local g = vim.lsp.get_client_by_id(id)
  modls.call(g, "stop", true)
  ok = vim.wait(wait_ms, function()
    return modls.call(g, "is_stopped")
  end, 50)
  if not check("gopls stops", ok) then
    return
  end
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "// gopls has gone" })
  if not wait_modls(buf, "auto after gopls: modls reports the type error again", true) then
    return
  end
  modls.set_compile_errors("off")
  if not wait_modls(buf, "off: modls leaves the type error out", false) then
    return
  end
  check("one modls client all along", #modls.clients() == 1, #modls.clients())
end

local ok, err = pcall(run)
if not ok then
  result.error = tostring(err)
end
result.messages = vim.split(vim.api.nvim_exec("messages", true), "\n", { trimempty = true })
local f = assert(io.open(out_path, "w"))
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd("qall!")

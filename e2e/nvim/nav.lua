-- Navigation client for `modls serve` in headless Neovim (0.7 and later),
-- on Neovim's own LSP client.
--
--     MODLS_E2E_SCENARIO=scenario.json \
--         nvim --headless -u NONE -i NONE -n -c "luafile nav.lua"
--
-- scenario.json (written by nav_test.go) lists requests: the script opens
-- the files each names, sends it with client.request_sync and records the
-- answer; a workspace edit it is told to apply goes through
-- vim.lsp.util.apply_workspace_edit, and the text of the buffers named is
-- recorded after it. nav_test.go asserts on the record.

local function read_file(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end
local scenario = vim.fn.json_decode(read_file(os.getenv("MODLS_E2E_SCENARIO")))
local wait_ms = scenario.waitMs or 60000
local v = vim.version()
local result = { client = string.format("neovim %d.%d.%d", v.major, v.minor, v.patch), results = {} }

local function write_result()
  local f = assert(io.open(scenario.out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local exited = nil
local client_id = vim.lsp.start_client({
  name = "modls",
  cmd = scenario.server,
  cmd_cwd = scenario.root,
  root_dir = scenario.root,
  on_exit = function(code, signal)
    exited = { code = code, signal = signal }
  end,
})

local bufs = {}
local function open(rel)
  if bufs[rel] then
    return bufs[rel]
  end
  vim.cmd("edit " .. vim.fn.fnameescape(scenario.root .. "/" .. rel))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = rel:match("%.json$") and "json" or "go"
  vim.lsp.buf_attach_client(buf, client_id)
  bufs[rel] = buf
  return buf
end

local function run()
  if not client_id then
    error("vim.lsp.start_client failed")
  end
  local client = vim.lsp.get_client_by_id(client_id)
  local buf = open(scenario.requests[1].open[1])
  vim.wait(wait_ms, function()
    return client.initialized or exited ~= nil
  end, 10)
  if exited then
    error("the server exited during initialization")
  end
  for _, r in ipairs(scenario.requests) do
    for _, rel in ipairs(r.open or {}) do
      buf = open(rel)
    end
    local entry = { name = r.name }
    local resp, err = client.request_sync(r.method, r.params, wait_ms, buf)
    if not resp then
      entry.error = tostring(err)
    elseif resp.err then
      entry.error = resp.err.message or vim.inspect(resp.err)
    else
      entry.result = resp.result
      if r.apply and resp.result then
        vim.lsp.util.apply_workspace_edit(resp.result, "utf-16")
        entry.texts = {}
        for _, rel in ipairs(r.read or {}) do
          local b = vim.fn.bufadd(scenario.root .. "/" .. rel)
          vim.fn.bufload(b)
          entry.texts[rel] = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
        end
      end
    end
    table.insert(result.results, entry)
  end
end

local ok, err = pcall(run)
if not ok then
  result.error = tostring(err)
end
write_result()
if client_id then
  vim.lsp.stop_client(client_id)
  vim.wait(scenario.exitMs or 5000, function()
    return exited ~= nil
  end, 10)
end
vim.cmd(ok and "qa!" or "cq!")

-- Run after the README's init.lua (editors/editors_test.go
-- TestNeovimREADME): opens a violating file and waits for modls's
-- diagnostics, writing what it saw to MODLS_TEST_OUT, with every message
-- Neovim showed (:messages): a newcomer would see each of them.
local file = assert(os.getenv("MODLS_TEST_FILE"))
local out_path = assert(os.getenv("MODLS_TEST_OUT"))
local wait_ms = tonumber(os.getenv("MODLS_TEST_WAIT_MS") or "") or 90000

local result = { diagnostics = {} }
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  vim.wait(wait_ms, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == "modls" then
        return true
      end
    end
    return false
  end, 50)
  -- A complaint about the settings is sent at once on initialize or
  -- didChangeConfiguration; a request answered after the diagnostics
  -- came lets any such message arrive before :messages is read.
  vim.lsp.buf_request_sync(buf, "textDocument/codeLens", { textDocument = vim.lsp.util.make_text_document_params(buf) }, wait_ms)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(result.diagnostics, string.format("%d %s %s %s", d.lnum + 1, tostring(d.source), tostring(code), d.message))
  end
end)
if not ok then
  result.error = tostring(err)
end
result.messages = vim.split(vim.api.nvim_exec("messages", true), "\n", { trimempty = true })
local f = assert(io.open(out_path, "w"))
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd("qall!")

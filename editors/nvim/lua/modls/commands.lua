-- :ModlsCheck, :ModlsIntegration and :ModlsRestart.
local util = require("modls.util")

local M = {}

local function modls()
  return require("modls")
end

local function executable()
  return modls().options.cmd[1]
end

-- check_root is the Go module root :ModlsCheck runs in: the current
-- buffer's, else the working directory's.
local function check_root()
  local name = vim.api.nvim_buf_get_name(0)
  return (name ~= "" and util.go_mod_root(name)) or util.go_mod_root(vim.fn.getcwd()) or vim.fn.getcwd()
end

local qf_types = { error = "E", warning = "W", info = "I" }

-- to_quickfix turns `modls check --format json` output into quickfix
-- items; file names are relative to root.
function M.to_quickfix(output, root)
  local ok, decoded = pcall(vim.fn.json_decode, output)
  if not ok or type(decoded) ~= "table" or type(decoded.diagnostics) ~= "table" then
    return nil, "modls check printed no diagnostics JSON"
  end
  local items = {}
  for _, d in ipairs(decoded.diagnostics) do
    local file = d.file
    if file:sub(1, 1) ~= "/" then
      file = util.join(root, file)
    end
    table.insert(items, {
      filename = file,
      lnum = d.line,
      col = d.column,
      end_lnum = d.end_line,
      end_col = d.end_column,
      type = qf_types[d.severity] or "E",
      text = d.rule .. " " .. d.message,
      valid = 1,
    })
  end
  return items
end

local function output_lines(data, into)
  for _, l in ipairs(data or {}) do
    table.insert(into, l)
  end
end

-- check runs `modls check --format json ./...` in the Go module root and
-- fills the quickfix list; on_done, if given, is called with the items.
-- When it is done, the User ModlsCheckDone autocmd fires.
function M.check(args, on_done)
  local root = check_root()
  local patterns = (args and #args > 0) and args or { "./..." }
  local cmd = vim.list_extend({ executable(), "check", "--format", "json" }, patterns)
  local stdout, stderr = {}, {}
  local title = "modls check " .. table.concat(patterns, " ")
  local job = vim.fn.jobstart(cmd, {
    cwd = root,
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      output_lines(data, stdout)
    end,
    on_stderr = function(_, data)
      output_lines(data, stderr)
    end,
    on_exit = function(_, code)
      local items, err
      if code == 0 or code == 1 then
        items, err = M.to_quickfix(table.concat(stdout, "\n"), root)
      else
        err = vim.trim(table.concat(stderr, "\n"))
        if err == "" then
          err = "exit status " .. code
        end
      end
      if items == nil then
        vim.notify("modls check failed: " .. err, vim.log.levels.ERROR)
      else
        vim.fn.setqflist({}, " ", { title = title, items = items })
        if #items == 0 then
          vim.notify("modls check: no problems", vim.log.levels.INFO)
        else
          vim.notify(string.format("modls check: %d problem%s", #items, #items == 1 and "" or "s"), vim.log.levels.WARN)
          if modls().options.open_quickfix then
            vim.cmd("copen")
          end
        end
      end
      if on_done then
        on_done(items, err)
      end
      vim.api.nvim_exec_autocmds("User", { pattern = "ModlsCheckDone", modeline = false })
    end,
  })
  if job <= 0 then
    vim.notify("modls: cannot run " .. executable() .. " (install it with: go install github.com/modls/modls/cmd/modls@latest)", vim.log.levels.ERROR)
  end
  return job
end

-- show reports an outcome and fires User ModlsIntegrationDone with it in
-- vim.g.modls_last_integration.
local function show(outcome)
  vim.g.modls_last_integration = outcome
  vim.notify(outcome.summary, outcome.ok and vim.log.levels.INFO or vim.log.levels.WARN)
  vim.api.nvim_exec_autocmds("User", { pattern = "ModlsIntegrationDone", modeline = false })
end

-- sandbox runs `modls sandbox --module NAME --json` when no server runs.
local function sandbox(dir, root)
  local name = util.module_name(dir)
  local stdout, stderr = {}, {}
  vim.notify("modls: running the integration checks of " .. name .. " ...", vim.log.levels.INFO)
  vim.fn.jobstart({ executable(), "sandbox", "--module", name, "--json" }, {
    cwd = root,
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      output_lines(data, stdout)
    end,
    on_stderr = function(_, data)
      output_lines(data, stderr)
    end,
    on_exit = function(_, code)
      local ok, r = pcall(vim.fn.json_decode, table.concat(stdout, "\n"))
      if not ok or type(r) ~= "table" then
        show({ ok = false, module = name, summary = "modls sandbox failed: " .. vim.trim(table.concat(stderr, "\n")) .. " (exit status " .. code .. ")" })
        return
      end
      local items, failed = {}, 0
      for _, c in ipairs(r.checks or {}) do
        if c.status == "fail" then
          failed = failed + 1
          table.insert(items, { filename = c.file ~= "" and c.file or nil, lnum = c.line or 0, text = c.name .. ": " .. (c.message or ""), type = "E" })
        end
      end
      vim.fn.setqflist({}, " ", { title = "modls sandbox " .. name, items = items })
      local summary = r.passed and ("✓ integration of " .. name .. " passed")
        or string.format("✗ integration of %s: %d check%s failed", name, failed, failed == 1 and "" or "s")
      show({ ok = r.passed == true, module = name, summary = summary })
    end,
  })
end

-- integration runs the integration checks of the current buffer's module:
-- through the server (unsaved buffers included) when it is attached, else
-- with `modls sandbox`.
function M.integration()
  local file = vim.api.nvim_buf_get_name(0)
  local dir = file ~= "" and util.module_dir(file)
  if not dir then
    vim.notify("modls: the current file is not in a module (modules/<type>/<name>/ with a manifest.json)", vim.log.levels.ERROR)
    return
  end
  local client = modls().clients(0)[1]
  if client == nil then
    sandbox(dir, util.go_mod_root(dir) or dir)
    return
  end
  local name = util.module_name(dir)
  vim.notify("modls: running the integration checks of " .. name .. " ...", vim.log.levels.INFO)
  local params = { command = "modls.runIntegration", arguments = { { dir = dir } } }
  modls().call(client, "request", "workspace/executeCommand", params, function(err, result)
    if err then
      show({ ok = false, module = name, summary = "modls: integration of " .. name .. ": " .. (err.message or vim.inspect(err)) })
      return
    end
    result = result or {}
    show({ ok = result.ok == true, module = name, summary = result.summary or "" })
    pcall(vim.lsp.codelens.refresh)
  end, 0)
end

function M.create()
  vim.api.nvim_create_user_command("ModlsCheck", function(o)
    M.check(o.fargs)
  end, { nargs = "*", desc = "modls: check the Go module into the quickfix list" })
  vim.api.nvim_create_user_command("ModlsIntegration", function()
    M.integration()
  end, { desc = "modls: run the current module's integration checks in the sandbox" })
  vim.api.nvim_create_user_command("ModlsRestart", function()
    modls().restart()
  end, { desc = "modls: restart the language server" })
end

return M

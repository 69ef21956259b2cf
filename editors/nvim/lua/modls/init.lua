-- modls for Neovim: starts `modls serve` for Go files and manifest.json in a
-- modls workspace (a go.mod with modules/<type>/<name>/manifest.json below
-- it), keeps code lenses fresh and adds :ModlsCheck, :ModlsIntegration and
-- :ModlsRestart. See :help modls.
--
-- Neovim 0.11 and later: the server is declared with vim.lsp.config and
-- started with vim.lsp.enable. Earlier (0.7 to 0.10): vim.lsp.start_client
-- and vim.lsp.buf_attach_client. The choice is made by feature detection.
local util = require("modls.util")

local M = {}

M.name = "modls"

local defaults = {
  -- The server command; cmd[1] is also what :ModlsCheck runs.
  cmd = { "modls", "serve" },
  -- Rule settings in modls.json's form, sent in initializationOptions and
  -- with workspace/didChangeConfiguration:
  -- { MOD011 = "off", MOD002 = { enabled = true, severity = "warning" } }
  rules = {},
  -- The sandbox of "run integration": network = true gives module code the
  -- host's network (modls sandbox --network); by default it has only the
  -- loopback of its own network namespace.
  sandbox = { network = false },
  -- The compile findings (parse and type errors): "auto" shows them unless
  -- a gopls client serves one of the server's buffers (gopls reports the
  -- same errors), "on" always, "off" never. `:ModlsCheck` reports them
  -- whatever this says.
  compile_errors = "auto",
  -- Refresh code lenses on these events.
  codelens_events = { "BufEnter", "InsertLeave", "CursorHold" },
  -- Open the quickfix window after :ModlsCheck when it found problems.
  open_quickfix = true,
  -- Called with (client, bufnr) when the server attaches to a buffer.
  on_attach = nil,
  -- Use vim.lsp.config/vim.lsp.enable when Neovim has them (0.11+).
  use_lsp_config = true,
}

M.options = vim.deepcopy(defaults)

-- clients maps a workspace root to its client id (Neovim before 0.11).
local clients = {}
local group
-- sent maps a client id to the compileErrors the server was last told.
local sent = {}

local compile_modes = { auto = true, on = true, off = true }

local function list_clients(bufnr)
  if vim.lsp.get_clients ~= nil then
    return vim.lsp.get_clients({ bufnr = bufnr })
  elseif bufnr ~= nil then
    return vim.lsp.buf_get_clients(bufnr)
  end
  return vim.lsp.get_active_clients()
end

-- gopls_serves tells whether a gopls client is attached to one of bufs.
local function gopls_serves(bufs)
  for _, b in ipairs(bufs) do
    if vim.api.nvim_buf_is_valid(b) then
      for _, c in pairs(list_clients(b)) do
        if c.name == "gopls" and not M.call(c, "is_stopped") then
          return true
        end
      end
    end
  end
  return false
end

-- compile_errors is what the server is told to do with compile findings
-- for the buffers bufs (see the compile_errors option).
function M.compile_errors(bufs)
  local mode = M.options.compile_errors
  if mode == "on" then
    return true
  elseif mode == "off" then
    return false
  end
  return not gopls_serves(bufs or {})
end

local function settings(compile)
  if compile == nil then
    compile = M.compile_errors({})
  end
  return {
    modls = {
      rules = M.options.rules,
      compileErrors = compile,
      sandbox = { network = M.options.sandbox.network == true },
    },
  }
end

local function client_buffers(client)
  return vim.tbl_keys(client.attached_buffers or {})
end

-- sync tells a modls client's server the settings again when what it
-- should do with compile findings has changed (gopls came or went), or
-- always when force is set.
local function sync(client, force)
  if M.call(client, "is_stopped") then
    return
  end
  local compile = M.compile_errors(client_buffers(client))
  if not force and sent[client.id] == compile then
    return
  end
  sent[client.id] = compile
  client.config.settings = settings(compile)
  M.call(client, "notify", "workspace/didChangeConfiguration", { settings = client.config.settings })
end

local function sync_all()
  for _, c in ipairs(M.clients()) do
    sync(c)
  end
end

-- has_native_config says whether this Neovim has the 0.11 API.
function M.has_native_config()
  return M.options.use_lsp_config and type(vim.lsp.config) ~= "nil" and type(vim.lsp.enable) == "function"
end

-- root_for is the modls workspace root of a buffer, or nil when the buffer
-- is not a Go file or manifest.json in one.
function M.root_for(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local ft = vim.bo[bufnr].filetype
  if ft ~= "go" and not (ft == "json" and util.basename(name) == "manifest.json") then
    return nil
  end
  local root = util.go_mod_root(name)
  if root == nil or not util.has_modules(root) then
    return nil
  end
  return root
end

local function refresh_lenses(bufnr)
  if vim.lsp.codelens.enable ~= nil then
    return -- Neovim 0.12+ keeps enabled lenses fresh itself.
  end
  if #M.clients(bufnr) == 0 then
    return
  end
  if vim.fn.has("nvim-0.10") == 1 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    vim.lsp.codelens.refresh()
  end
end

local function on_attach(client, bufnr)
  if vim.lsp.codelens.enable ~= nil then
    vim.lsp.codelens.enable(true, { bufnr = bufnr })
  end
  vim.api.nvim_clear_autocmds({ group = group, buffer = bufnr })
  vim.api.nvim_create_autocmd(M.options.codelens_events, {
    group = group,
    buffer = bufnr,
    callback = function()
      refresh_lenses(bufnr)
      -- Before Neovim 0.8 (no LspAttach), this is where a gopls that
      -- attached since is noticed too.
      sync(client)
    end,
    desc = "modls: refresh code lenses",
  })
  refresh_lenses(bufnr)
  sync(client)
  if M.options.on_attach then
    M.options.on_attach(client, bufnr)
  end
end

local function on_init(client)
  local init = client.config.init_options
  sent[client.id] = init and init.modls and init.modls.compileErrors
end

-- handlers: every set of diagnostics the server publishes is a moment to
-- notice a gopls that attached since (Neovim before 0.8 has no LspAttach).
local handlers = {
  ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      sync(client)
    end
    return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, config)
  end,
}

local function client_config(root, bufnr)
  local s = settings(M.compile_errors({ bufnr }))
  return {
    name = M.name,
    cmd = M.options.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = s,
    settings = s,
    on_init = on_init,
    on_attach = on_attach,
    handlers = handlers,
  }
end

-- attach starts (or reuses) the client of the buffer's workspace.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = M.root_for(bufnr)
  if root == nil then
    return nil
  end
  if M.has_native_config() then
    local cfg = vim.tbl_extend("force", vim.lsp.config[M.name] or {}, client_config(root, bufnr))
    return vim.lsp.start(cfg, { bufnr = bufnr })
  end
  local id = clients[root]
  local existing = id and vim.lsp.get_client_by_id(id)
  if not existing or M.call(existing, "is_stopped") then
    id = vim.lsp.start_client(client_config(root, bufnr))
    if id == nil then
      vim.notify("modls: could not start " .. table.concat(M.options.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

-- call calls a client method: with colon syntax from Neovim 0.11, where
-- the dot form is deprecated, and with the dot form before.
function M.call(client, method, ...)
  if vim.fn.has("nvim-0.11") == 1 then
    return client[method](client, ...)
  end
  return client[method](...)
end

-- clients lists the modls clients, of one buffer when bufnr is given.
function M.clients(bufnr)
  local out = {}
  for _, c in pairs(list_clients(bufnr)) do
    if c.name == M.name then
      table.insert(out, c)
    end
  end
  return out
end

-- set_rules changes the rule settings and tells the running servers.
function M.set_rules(rules)
  M.options.rules = rules or {}
  if M.has_native_config() then
    vim.lsp.config(M.name, { init_options = settings(), settings = settings() })
  end
  for _, c in ipairs(M.clients()) do
    sync(c, true)
  end
end

-- set_compile_errors changes the compile_errors option ("auto", "on" or
-- "off") and tells the running servers.
function M.set_compile_errors(mode)
  if not compile_modes[mode] then
    vim.notify("modls: compile_errors must be \"auto\", \"on\" or \"off\", not " .. vim.inspect(mode), vim.log.levels.ERROR)
    return
  end
  M.options.compile_errors = mode
  if M.has_native_config() then
    vim.lsp.config(M.name, { init_options = settings(), settings = settings() })
  end
  sync_all()
end

function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  if opts and opts.rules then
    M.options.rules = opts.rules -- taken as given, not merged
  end
  if type(M.options.cmd) == "string" then
    M.options.cmd = { M.options.cmd, "serve" }
  end
  if not compile_modes[M.options.compile_errors] then
    vim.notify("modls: compile_errors must be \"auto\", \"on\" or \"off\", not " .. vim.inspect(M.options.compile_errors) .. "; using \"auto\"", vim.log.levels.ERROR)
    M.options.compile_errors = "auto"
  end
  group = vim.api.nvim_create_augroup("modls", { clear = true })
  require("modls.commands").create()
  if vim.fn.exists("##LspAttach") == 1 then
    -- gopls attaching to or leaving a buffer changes what "auto" means;
    -- LspDetach fires before the client leaves, so look after it has.
    vim.api.nvim_create_autocmd({ "LspAttach", "LspDetach" }, {
      group = group,
      callback = function()
        vim.schedule(sync_all)
      end,
      desc = "modls: leave compile errors to gopls",
    })
  end

  if M.has_native_config() then
    vim.lsp.config(M.name, {
      cmd = M.options.cmd,
      filetypes = { "go", "json" },
      init_options = settings(),
      settings = settings(),
      on_init = on_init,
      on_attach = on_attach,
      handlers = handlers,
      root_dir = function(bufnr, on_dir)
        local root = M.root_for(bufnr)
        if root then
          on_dir(root)
        end
      end,
    })
    vim.lsp.enable(M.name)
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = { "go", "json" },
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = "modls: start the language server in modls workspaces",
  })
  -- Buffers opened before setup.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) then
      M.attach(b)
    end
  end
end

-- restart stops the modls clients and starts them again for their buffers.
-- A server that has not exited 2 seconds after shutdown is killed.
function M.restart()
  local bufs = {}
  local stopping = M.clients()
  for _, c in ipairs(stopping) do
    for b in pairs(c.attached_buffers or {}) do
      table.insert(bufs, b)
    end
    M.call(c, "stop")
  end
  clients = {}
  if #bufs == 0 then
    bufs = { vim.api.nvim_get_current_buf() }
  end
  local waited = 0
  local function start_again()
    local running = {}
    for _, c in ipairs(stopping) do
      if not M.call(c, "is_stopped") then
        table.insert(running, c)
      end
    end
    if #running > 0 and waited < 2000 then
      waited = waited + 50
      vim.defer_fn(start_again, 50)
      return
    end
    for _, c in ipairs(running) do
      M.call(c, "stop", true)
    end
    for _, b in ipairs(bufs) do
      if vim.api.nvim_buf_is_valid(b) then
        M.attach(b)
      end
    end
    vim.notify("modls: server restarted", vim.log.levels.INFO)
  end
  start_again()
end

return M

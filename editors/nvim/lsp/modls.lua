-- modls language server configuration for nvim-lspconfig and Neovim 0.11's
-- vim.lsp.config (this file is found on 'runtimepath' as lsp/modls.lua):
--
--     vim.lsp.enable("modls")
--
-- The modls plugin (require("modls").setup{}) adds root detection limited
-- to modls workspaces, code lens refresh and the :Modls commands on top.
return {
  cmd = { "modls", "serve" },
  filetypes = { "go", "json" },
  root_markers = { "go.mod" },
  -- Rule settings in modls.json's form: "off", a severity, or
  -- { enabled = true, severity = "warning" }. Add compileErrors = false
  -- beside rules to leave parse and type errors to gopls.
  init_options = { modls = { rules = {} } },
  settings = { modls = { rules = {} } },
}

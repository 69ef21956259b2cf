-- File-system helpers for Neovim 0.7 and later (vim.fs is 0.8+).
local M = {}

local uv = vim.loop

function M.is_file(path)
  local st = uv.fs_stat(path)
  return st ~= nil and st.type == "file"
end

function M.is_dir(path)
  local st = uv.fs_stat(path)
  return st ~= nil and st.type == "directory"
end

function M.dirname(path)
  local d = path:match("^(.*)/[^/]*$")
  if d == nil or d == "" then
    return "/"
  end
  return d
end

function M.basename(path)
  return path:match("([^/]*)$")
end

function M.join(...)
  return table.concat({ ... }, "/")
end

-- go_mod_root is the directory of the nearest go.mod at or above path.
function M.go_mod_root(path)
  local dir = M.is_dir(path) and path or M.dirname(path)
  while true do
    if M.is_file(M.join(dir, "go.mod")) then
      return dir
    end
    local parent = M.dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

local skip = { [".git"] = true, node_modules = true, vendor = true, testdata = true }

-- has_modules says whether root holds a framework module, that is a
-- modules/<type>/<name>/manifest.json, at most max_depth directories down.
function M.has_modules(root, max_depth)
  max_depth = max_depth or 6
  local queue = { { root, 0 } }
  local i = 1
  while queue[i] do
    local dir, depth = queue[i][1], queue[i][2]
    i = i + 1
    if M.basename(dir) == "modules" and #vim.fn.glob(dir .. "/*/*/manifest.json", true, true) > 0 then
      return true
    end
    if depth < max_depth then
      local handle = uv.fs_scandir(dir)
      while handle do
        local name, typ = uv.fs_scandir_next(handle)
        if name == nil then
          break
        end
        if typ == "directory" and not skip[name] and name:sub(1, 1) ~= "." then
          table.insert(queue, { M.join(dir, name), depth + 1 })
        end
      end
    end
  end
  return false
end

-- module_dir is the framework module directory (modules/<type>/<name>,
-- holding manifest.json) that file belongs to, or nil.
function M.module_dir(file)
  local parts = vim.split(file, "/", { plain = true })
  for i = #parts - 2, 1, -1 do
    if parts[i] == "modules" and i + 2 <= #parts then
      local dir = table.concat(vim.list_slice(parts, 1, i + 2), "/")
      if dir ~= file and M.is_file(M.join(dir, "manifest.json")) then
        return dir
      end
    end
  end
  return nil
end

-- module_name is the module's name from its manifest, else <type>.<name>.
function M.module_name(dir)
  local f = io.open(M.join(dir, "manifest.json"), "r")
  if f then
    local ok, m = pcall(vim.fn.json_decode, f:read("*a"))
    f:close()
    if ok and type(m) == "table" and type(m.name) == "string" and m.name ~= "" then
      return m.name
    end
  end
  return M.basename(M.dirname(dir)) .. "." .. M.basename(dir)
end

return M

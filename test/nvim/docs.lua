-- Checks that the Neovim 0.7 setup in docs/editors.md works as written, in Debian's Neovim 0.7.2.
-- test/nvim/run.sh extracts the first ```lua block after "## Neovim 0.7" into an init file (with the absolute
-- path of bin/ftw), then runs, from a temporary project (pyproject.toml, sub/lora.yml, sub/train.py):
--   nvim --headless -n -i NONE -u <init> sub/lora.yml -c 'luafile test/nvim/docs.lua'
-- Environment: FTW_NVIM_DOCS_RESULTS (the JSON results), FTW_NVIM_TIMEOUT (hard limit in ms, default 30000).
-- Exit status: 0 passed, 1 failed, 3 hard timeout.

local uv = vim.loop
local RESULTS = assert(os.getenv('FTW_NVIM_DOCS_RESULTS'), 'FTW_NVIM_DOCS_RESULTS is not set')
local TIMEOUT_MS = tonumber(os.getenv('FTW_NVIM_TIMEOUT') or '') or 30000
local WAIT_MS = 10000
local results = { checks = {}, ok = false }

local function write_results()
  local f = assert(io.open(RESULTS, 'w'))
  f:write(vim.json.encode(results))
  f:close()
end

local watchdog = uv.new_timer()
watchdog:start(TIMEOUT_MS, 0, function()
  results.error = string.format('hard timeout: the docs run took longer than %d ms', TIMEOUT_MS)
  pcall(write_results)
  io.stderr:write('\n[nvim] ' .. results.error .. '\n')
  os.exit(3)
end)

local function check(name, ok, detail)
  name = 'docs/editors.md (Neovim 0.7 setup): ' .. name
  table.insert(results.checks, { name = name, ok = ok and true or false, detail = (not ok) and (detail or '') or nil })
end

local function step(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then check(name, false, 'error: ' .. tostring(err)) end
end

local function inspect(x) return vim.inspect(x, { newline = ' ', indent = '' }) end

local yml = vim.api.nvim_get_current_buf()
local function other_buffer() return vim.api.nvim_get_current_buf() ~= yml end
local function first_line() return vim.api.nvim_buf_get_lines(0, 0, 1, false)[1] end

step('diagnostics', function()
  local ok = vim.wait(WAIT_MS, function() return #vim.diagnostic.get(yml) == 2 end, 20)
  check('the FileType autocmd starts the server and diagnostics arrive', ok, inspect(vim.diagnostic.get(yml)))
  local client = vim.lsp.buf_get_clients(yml)
  local c = select(2, next(client))
  check('one client, rooted at the pyproject.toml folder', c and c.name == 'finetune-workbench'
    and c.config.root_dir == uv.fs_realpath(vim.fn.getcwd()), inspect(c and c.config.root_dir))
  check('omnifunc is set for completion', vim.bo[yml].omnifunc == 'v:lua.vim.lsp.omnifunc', vim.bo[yml].omnifunc)
  vim.wait(WAIT_MS, function() return vim.b[yml].ftw_format ~= nil end, 20)
  check('b:ftw_format from finetune/documentFormat', tostring(vim.b[yml].ftw_format):find('^Axolotl') ~= nil, inspect(vim.b[yml].ftw_format))
end)

step(':FtwVram', function()
  vim.cmd('FtwVram')
  vim.wait(WAIT_MS, other_buffer, 20)
  check(':FtwVram opens the breakdown in a Markdown buffer', other_buffer() and vim.bo.filetype == 'markdown' and first_line() == '# VRAM estimate',
    inspect(first_line()))
  if other_buffer() then vim.cmd('close') end
end)

step('code lens', function()
  vim.wait(WAIT_MS, function() return #vim.lsp.codelens.get(yml) > 0 end, 20)
  check('the VRAM code lens is shown on line 1', #vim.lsp.codelens.get(yml) == 1, inspect(vim.lsp.codelens.get(yml)))
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.codelens.run()
  vim.wait(WAIT_MS, other_buffer, 20)
  check('running the lens (finetune.showVramBreakdown) opens the breakdown', other_buffer() and first_line() == '# VRAM estimate', inspect(first_line()))
  if other_buffer() then vim.cmd('close') end
end)

step(':FtwFormat', function()
  vim.cmd('FtwFormat none')
  local off = vim.wait(WAIT_MS, function() return #vim.diagnostic.get(yml) == 0 end, 20)
  check(':FtwFormat none silences the file', off, inspect(vim.diagnostic.get(yml)))
  vim.cmd('FtwFormat')
  local back = vim.wait(WAIT_MS, function() return #vim.diagnostic.get(yml) == 2 end, 20)
  check(':FtwFormat (no argument) detects again', back, inspect(vim.diagnostic.get(yml)))
end)

step(':FtwNew', function()
  vim.cmd('FtwNew NousResearch/Llama-3.2-1B rtx3060')
  vim.wait(WAIT_MS, other_buffer, 20)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local text = table.concat(lines, '\n')
  check(':FtwNew (ftw.newConfig) opens a QLoRA Axolotl config for the RTX 3060 in a new YAML buffer', other_buffer() and vim.bo.filetype == 'yaml'
    and text:find('\nbase_model: NousResearch/Llama%-3%.2%-1B\n') ~= nil and text:find('\nadapter: qlora\n') ~= nil
    and tostring(vim.b.ftw_new):find('on the RTX 3060', 1, true) ~= nil, inspect({ vim.b.ftw_new, lines[1], #lines }))
  if other_buffer() then vim.cmd('buffer ' .. yml) end
end)

step(':FtwMigrate', function()
  vim.fn.confirm = function() return 1 end -- answer "Yes" to the prompt
  vim.cmd('FtwMigrate')
  local path = vim.fn.fnamemodify('sub/train.py', ':p')
  local line
  vim.wait(WAIT_MS, function()
    local b = vim.fn.bufnr(path)
    line = b > 0 and vim.api.nvim_buf_get_lines(b, 2, 3, false)[1] or nil
    return line ~= nil and line:find('accelerator', 1, true) ~= nil
  end, 20)
  check(':FtwMigrate applies the Lightning fix to sub/train.py', line == 'trainer = pl.Trainer(accelerator="gpu", devices=1)', inspect(line))
end)

watchdog:stop()
local failed = 0
for _, c in ipairs(results.checks) do
  if not c.ok then failed = failed + 1 end
end
results.passed, results.failed, results.ok = #results.checks - failed, failed, failed == 0
write_results()
io.stdout:write('\n')
for _, c in ipairs(results.checks) do
  io.stdout:write(string.format('[nvim] %s %s%s\n', c.ok and 'ok  ' or 'FAIL', c.name, c.ok and '' or (': ' .. c.detail)))
end
io.stdout:flush()
vim.cmd(failed == 0 and 'qall!' or 'cquit 1')

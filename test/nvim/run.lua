-- Neovim as a second real LSP client of the Fine-Tune Workbench server (DESIGN.md §8).
--
-- Written for Debian bookworm's Neovim 0.7.2: the 0.7 client API (vim.lsp.start_client + buf_attach_client;
-- vim.lsp.start is 0.8+), push diagnostics (textDocument/publishDiagnostics into vim.diagnostic).
-- Run it through test/nvim/run.sh, or by hand from the repository root:
--   nvim --headless --clean -c 'luafile test/nvim/run.lua'
-- Environment:
--   FTW_REPO          the repository root (default: two folders above this file)
--   FTW_NVIM_RESULTS  where the JSON results go (default: <repo>/.test-tmp/nvim/results.json)
--   FTW_NVIM_TIMEOUT  hard limit in milliseconds for the whole run (default 30000)
-- Exit status: 0 when every check passed, 1 when one failed, 3 on the hard timeout.

local uv = vim.loop

local function script_dir()
  local src = debug.getinfo(1, 'S').source:gsub('^@', '')
  return vim.fn.fnamemodify(src, ':p:h')
end

local REPO = os.getenv('FTW_REPO') or vim.fn.fnamemodify(script_dir(), ':h:h')
REPO = uv.fs_realpath(REPO) or REPO
local RESULTS = os.getenv('FTW_NVIM_RESULTS') or (REPO .. '/.test-tmp/nvim/results.json')
local TIMEOUT_MS = tonumber(os.getenv('FTW_NVIM_TIMEOUT') or '') or 30000
local WAIT_MS = 10000 -- per step

local results = {
  nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch,
  server = { REPO .. '/bin/ftw', 'lsp', '--stdio' },
  checks = {},
  ok = false,
}
local written = false

vim.fn.mkdir(vim.fn.fnamemodify(RESULTS, ':h'), 'p')

-- Only io and vim.json here: it also runs from the watchdog's luv callback, where vim.fn is not allowed.
local function write_results()
  if written then return end
  written = true
  local f = assert(io.open(RESULTS, 'w'))
  f:write(vim.json.encode(results))
  f:close()
end

local function finish(code)
  local failed = 0
  for _, c in ipairs(results.checks) do
    if not c.ok then failed = failed + 1 end
  end
  results.passed = #results.checks - failed
  results.failed = failed
  if failed > 0 and code == 0 then code = 1 end
  results.ok = code == 0
  write_results()
  io.stdout:write('\n') -- Neovim's own messages end without a newline
  for _, c in ipairs(results.checks) do
    io.stdout:write(string.format('[nvim] %s %s%s\n', c.ok and 'ok  ' or 'FAIL', c.name, c.ok and '' or (': ' .. c.detail)))
  end
  io.stdout:flush()
  -- :cquit N exits with status N without writing anything (0.7 supports the count).
  vim.cmd(code == 0 and 'qall!' or ('cquit ' .. code))
end

-- Hard timeout: a luv timer, so it fires even if a wait below never returns.
local watchdog = uv.new_timer()
watchdog:start(TIMEOUT_MS, 0, function()
  results.error = string.format('hard timeout: the run took longer than %d ms', TIMEOUT_MS)
  results.ok = false
  pcall(write_results)
  io.stderr:write('\n[nvim] ' .. results.error .. '\n')
  os.exit(3)
end)

local function check(name, ok, detail)
  table.insert(results.checks, { name = name, ok = ok and true or false, detail = (not ok) and (detail or '') or nil })
  return ok
end

local function inspect(x)
  return vim.inspect(x, { newline = ' ', indent = '' })
end

-- ---------- a workspace with a config and a Lightning 1.x module ----------
local ws = vim.fn.tempname() .. '-ftw-ws'
vim.fn.mkdir(ws, 'p')
ws = uv.fs_realpath(ws) or ws

local AXOLOTL = {
  'base_model: NousResearch/Llama-3.2-1B',
  'adapter: lora',
  'lora_r: 8',
  'lora_alpha: 16',
  'lora_dropuot: 0.05',
  'micro_batch_size: 2',
  'learning_rate: 0.0002',
  'warmup_ratio: 1.5',
  'datasets:',
  '  - path: mhenrichsen/alpaca_2k_test',
  '    type: alpaca',
}
local MODULE = {
  'import pytorch_lightning as pl',
  '',
  '',
  'class Model(pl.LightningModule):',
  '    def validation_epoch_end(self, outputs):',
  '        pass',
}
vim.fn.writefile(AXOLOTL, ws .. '/lora.yml')
vim.fn.writefile(MODULE, ws .. '/train.py')

-- ---------- the client ----------
local publishes = {} -- uri -> count
local formats = {} -- uri -> finetune/documentFormat params
local exit_code

local client_id = vim.lsp.start_client({
  name = 'finetune-workbench',
  cmd = { REPO .. '/bin/ftw', 'lsp', '--stdio' },
  -- No GPU probing: nvidia-smi is replaced by a program that fails (as in test/lsp).
  cmd_env = { FTW_NVIDIA_SMI = '/bin/false' },
  root_dir = ws,
  -- Answered by 0.7's default workspace/configuration handler (section 'finetune').
  settings = { finetune = { validation = { enable = true, delay = 0 } } },
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      publishes[result.uri] = (publishes[result.uri] or 0) + 1
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    end,
    ['finetune/documentFormat'] = function(_, result)
      formats[result.uri] = result
    end,
  },
  on_exit = function(code)
    exit_code = code
  end,
})

local function client()
  return vim.lsp.get_client_by_id(client_id)
end

local function step(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then check(name, false, 'error: ' .. tostring(err)) end
  return ok and err ~= false
end

local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  return bufnr
end

local function codes(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(out, { lnum = d.lnum, col = d.col, code = code, severity = d.severity, message = d.message })
  end
  table.sort(out, function(a, b) return a.lnum < b.lnum end)
  return out
end

local function find(list, code)
  for _, d in ipairs(list) do
    if d.code == code then return d end
  end
end

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, WAIT_MS)
  if not responses then error(method .. ': ' .. tostring(err)) end
  local r = responses[client_id]
  if not r then error(method .. ': no response from the server') end
  if r.err then error(method .. ': ' .. inspect(r.err)) end
  return r.result
end

local S = vim.diagnostic.severity
local yml, py

-- 1. initialize
if not client_id then
  check('server starts and initializes', false, 'vim.lsp.start_client failed for ' .. inspect(results.server))
  finish(1)
  return
end
local started = step('server starts and initializes', function()
  local function initialized()
    local c = client()
    return c ~= nil and c.initialized == true
  end
  vim.wait(WAIT_MS, function() return exit_code ~= nil or initialized() end, 20)
  local ready = initialized()
  check('server starts and initializes', ready, 'did not initialize within ' .. WAIT_MS .. ' ms; server exit code: ' .. tostring(exit_code))
  if not ready then return false end
  local caps = client().server_capabilities or {}
  check('server declares hover, completion, code actions, code lens, inlay hints',
    caps.hoverProvider and caps.completionProvider and caps.codeActionProvider and caps.codeLensProvider and caps.inlayHintProvider,
    inspect(caps))
end)
if not started then
  finish(1)
  return
end

-- 2. diagnostics pushed on open
local diags = {}
step('didOpen publishes diagnostics', function()
  yml = open(ws .. '/lora.yml')
  local uri = vim.uri_from_bufnr(yml)
  local got = vim.wait(WAIT_MS, function()
    diags = codes(yml)
    return #diags >= 2
  end, 20)
  check('didOpen publishes diagnostics', got, 'within ' .. WAIT_MS .. ' ms got ' .. inspect(diags) .. ' (publishes: ' .. inspect(publishes) .. ')')
  local typo = find(diags, 'FT101')
  check('FT101 on the misspelt key, line 5, as a warning',
    typo and typo.lnum == 4 and typo.col == 0 and typo.severity == S.WARN
      and typo.message == "Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'?",
    inspect(diags))
  local range = find(diags, 'FT104')
  check('FT104 on the out-of-range value, line 8, as an error',
    range and range.lnum == 7 and range.col == 14 and range.severity == S.ERROR and range.message:find("'warmup_ratio' must be <= 1", 1, true),
    inspect(diags))
  check('exactly these two diagnostics', #diags == 2, inspect(diags))
  check('custom notification finetune/documentFormat: axolotl', formats[uri] and formats[uri].format == 'axolotl', inspect(formats))
end)

-- 3. hover on a key
step('hover on a key', function()
  local result = request(yml, 'textDocument/hover', {
    textDocument = vim.lsp.util.make_text_document_params(yml),
    position = { line = 1, character = 3 },
  })
  local value = result and result.contents and (result.contents.value or result.contents) or ''
  if type(value) ~= 'string' then value = inspect(value) end
  results.hover = value
  -- The description the schema gives the key (`ftw schema axolotl`), which the hover must show.
  local schema = vim.fn.json_decode(vim.fn.system({ REPO .. '/bin/ftw', 'schema', 'axolotl' }))
  local description = schema.properties.adapter.description
  check('hover on adapter: markdown with the key and its schema description',
    result and result.contents.kind == 'markdown' and value:find('**adapter**', 1, true) == 1 and value:find(description, 1, true) ~= nil,
    'expected the description ' .. inspect(description) .. ' in ' .. inspect(result))
  -- The markdown renders in a floating window as Neovim's own hover would show it.
  local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
  check('hover converts to markdown lines for a float', #vim.lsp.util.trim_empty_lines(lines) > 0, inspect(lines))
end)

-- 4. code lens and a custom request (need client code in any editor other than VS Code)
step('code lens and finetune/vramBreakdown', function()
  local lenses = request(yml, 'textDocument/codeLens', { textDocument = vim.lsp.util.make_text_document_params(yml) })
  results.codeLens = lenses
  check('code lens: a VRAM estimate above the config', type(lenses) == 'table' and #lenses >= 1 and lenses[1].command
    and lenses[1].command.title:find('GiB', 1, true) ~= nil, inspect(lenses))
  local breakdown = request(yml, 'finetune/vramBreakdown', { uri = vim.uri_from_bufnr(yml) })
  check('custom request finetune/vramBreakdown answers Markdown', type(breakdown) == 'table' and type(breakdown.markdown) == 'string'
    and breakdown.markdown:find('# VRAM', 1, true) == 1, inspect(breakdown))
end)

-- 4b. the wizard's engine and the breakdown through workspace/executeCommand (issue 17): what VS Code's client asks
step('workspace/executeCommand: ftw.vramBreakdown and ftw.newConfig', function()
  local caps = client().server_capabilities or {}
  local commands = caps.executeCommandProvider and caps.executeCommandProvider.commands or {}
  check('executeCommandProvider lists ftw.newConfig and ftw.vramBreakdown', vim.tbl_contains(commands, 'ftw.newConfig')
    and vim.tbl_contains(commands, 'ftw.vramBreakdown'), inspect(commands))
  local uri = vim.uri_from_bufnr(yml)
  local direct = request(yml, 'finetune/vramBreakdown', { uri = uri })
  local viaCommand = request(yml, 'workspace/executeCommand', { command = 'ftw.vramBreakdown', arguments = { { uri = uri } } })
  check('ftw.vramBreakdown answers what finetune/vramBreakdown answers', type(viaCommand) == 'table' and viaCommand.markdown == direct.markdown
    and viaCommand.markdown:find('# VRAM estimate', 1, true) == 1, inspect(viaCommand))
  local new = request(yml, 'workspace/executeCommand', { command = 'ftw.newConfig', arguments = { {
    approach = 'prompt-template', method = 'qlora', model = 'NousResearch/Llama-3.2-1B', gpu = 'rtx3060', format = 'axolotl' } } })
  check('ftw.newConfig writes an Axolotl QLoRA config that fits the RTX 3060', type(new) == 'table' and new.ok == true
    and new.text:find('\nbase_model: NousResearch/Llama%-3%.2%-1B\n') ~= nil and new.text:find('\nadapter: qlora\n') ~= nil
    and new.summary:find('on the RTX 3060', 1, true) ~= nil, inspect(new and { ok = new.ok, summary = new.summary, head = new.text and new.text:sub(1, 400) }))
  local responses = vim.lsp.buf_request_sync(yml, 'workspace/executeCommand', { command = 'ftw.newConfig', arguments = { { approach = 'prompt-template' } } }, WAIT_MS)
  local r = responses and responses[client_id]
  local e = r and (r.error or r.err) -- 0.7 answers `error`, later releases `err`
  check('ftw.newConfig with a missing field is refused with a message naming it', e ~= nil and e.code == -32602
    and tostring(e.message):find('`method` must be one of', 1, true) ~= nil, inspect(r))
end)

-- 5. the "Did you mean" quick fix, applied with Neovim's own workspace-edit code
step('quick fix for FT101', function()
  local c = client()
  local uri = vim.uri_from_bufnr(yml)
  local before = publishes[uri] or 0
  -- The LSP diagnostics as the client holds them (vim.diagnostic -> LSP), as vim.lsp.buf.code_action sends them.
  local line_diags = vim.lsp.diagnostic.get_line_diagnostics(yml, 4, {}, client_id)
  check('the FT101 diagnostic converts back to LSP for the request', #line_diags == 1 and line_diags[1].code == 'FT101', inspect(line_diags))
  local actions = request(yml, 'textDocument/codeAction', {
    textDocument = vim.lsp.util.make_text_document_params(yml),
    range = line_diags[1].range,
    context = { diagnostics = line_diags, only = { 'quickfix' } },
  })
  local fix
  for _, a in ipairs(actions or {}) do
    if a.title == "Change 'lora_dropuot' to 'lora_dropout'" then fix = a end
  end
  check('codeAction offers the did-you-mean fix', fix ~= nil and fix.edit ~= nil, inspect(actions))
  if not fix then return end
  vim.lsp.util.apply_workspace_edit(fix.edit, c.offset_encoding)
  local line = vim.api.nvim_buf_get_lines(yml, 4, 5, false)[1]
  check('applying the fix rewrites the line in the buffer', line == 'lora_dropout: 0.05', inspect(line))
  -- didChange goes out (incremental sync, debounced) and the server publishes again.
  local after = {}
  local got = vim.wait(WAIT_MS, function()
    after = codes(yml)
    return (publishes[uri] or 0) > before and not find(after, 'FT101')
  end, 20)
  check('diagnostics are re-published without FT101, FT104 stays', got and #after == 1 and after[1].code == 'FT104' and after[1].lnum == 7,
    inspect(after) .. ' (publishes before ' .. before .. ', now ' .. tostring(publishes[uri]) .. ')')
end)

-- 6. typing: an edit made in the buffer reaches the server through incremental didChange
step('typing a new mistake', function()
  local uri = vim.uri_from_bufnr(yml)
  local before = publishes[uri] or 0
  vim.api.nvim_buf_set_lines(yml, 7, 8, false, { 'warmup_ratio: 0.1', 'warmup_steps: 0.1' })
  local after = {}
  local got = vim.wait(WAIT_MS, function()
    after = codes(yml)
    return (publishes[uri] or 0) > before and find(after, 'FT102') ~= nil and not find(after, 'FT104')
  end, 20)
  check('an edit in the buffer: FT104 gone, FT102 on the new line 9', got and #after == 1 and after[1].lnum == 8, inspect(after))
end)

-- 7. a Python module with a Lightning 1.x hook
step('Lightning 1.x hook in Python', function()
  py = open(ws .. '/train.py')
  check('the Python buffer has filetype python', vim.bo[py].filetype == 'python', vim.bo[py].filetype)
  local list = {}
  local got = vim.wait(WAIT_MS, function()
    list = codes(py)
    return #list > 0
  end, 20)
  local hook = list[1]
  check('validation_epoch_end gets an FT30x diagnostic on line 5', got and hook ~= nil and tostring(hook.code):match('^FT30%d$') ~= nil
    and hook.lnum == 4 and hook.col == 8 and hook.message:find('Lightning 2.x stops with an error here', 1, true) ~= nil,
    inspect(list))
end)

-- 8. shutdown: the server exits cleanly when the client stops it
step('shutdown', function()
  vim.lsp.stop_client(client_id)
  local exited = vim.wait(WAIT_MS, function() return exit_code ~= nil end, 20)
  check('the server exits with status 0 on shutdown/exit', exited and exit_code == 0, 'exit code ' .. tostring(exit_code))
end)

vim.fn.delete(ws, 'rf')
watchdog:stop()
finish(0)

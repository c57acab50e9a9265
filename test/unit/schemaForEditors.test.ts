import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from 'yaml-language-server';
import { REPO } from './helpers';

// The bundled schemas as other YAML tools use them, without our server: each has a stable $id, a title and a
// description; `ftw schema FORMAT --modeline` prints the line yaml-language-server (Red Hat YAML, Neovim's yamlls,
// Helix...) reads; and the real yaml-language-server (the devDependency, in process) loads our schema through that
// line and reports from it.

const FTW = join(REPO, 'bin', 'ftw');
const SCHEMAS = join(REPO, 'schemas');
const FILES = readdirSync(SCHEMAS)
  .filter((f) => f.endsWith('.schema.json'))
  .sort();
const YAML_FORMATS = ['axolotl', 'llamafactory', 'trl', 'torchtune', 'lightning-cli', 'accelerate', 'hf-args'];
const RAW = 'https://raw.githubusercontent.com/finetune-workbench/finetune-workbench/v0.1.0/schemas/';

function ftw(args: string[]) {
  const r = spawnSync(process.execPath, [FTW, ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bundled schemas: identity for other tools', () => {
  it("there is one schema per format, LLaMA-Factory v1's, and hydra", () => {
    assert.deepEqual(
      FILES,
      ['accelerate', 'axolotl', 'deepspeed', 'hf-args', 'hydra', 'lightning-cli', 'llamafactory-v1', 'llamafactory', 'torchtune', 'trl'].map(
        (f) => `${f}.schema.json`,
      ),
    );
  });

  for (const file of FILES) {
    it(`${file}: $id named after the file, draft-07, a title and a description that says what it is`, () => {
      const schema = JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Record<string, unknown>;
      assert.equal(schema['$id'], `https://finetune-workbench.dev/schemas/${file}`);
      assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
      assert.equal(typeof schema['title'], 'string');
      assert.ok((schema['title'] as string).length > 5);
      const description = schema['description'] as string;
      assert.match(description, new RegExp(`^${(schema['title'] as string).replace(/[/]/g, '\\/')}[ ,]`), 'the description starts with what the schema is');
      assert.match(description, /from Fine-Tune Workbench \(https:\/\/github\.com\/finetune-workbench\/finetune-workbench\)/);
      assert.match(description, /Do not edit by hand\.$/);
    });
  }

  it('the committed schemas are what the generator writes (npm run schemas -- --check)', () => {
    const r = spawnSync(process.execPath, [join(SCHEMAS, 'tools', 'generate.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('ftw schema FORMAT --modeline', () => {
  for (const format of YAML_FORMATS) {
    it(`${format}: the yaml-language-server modeline with this version's schema file`, () => {
      const r = ftw(['schema', format, '--modeline']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `# yaml-language-server: $schema=${RAW}${format}.schema.json\n`);
      // The URL names a file that is in the repository (at the tag it names).
      assert.ok(FILES.includes(r.stdout.trim().split('/').pop()!));
    });
  }

  it('--modeline after the format or before it', () => {
    assert.equal(ftw(['schema', '--modeline', 'trl']).stdout, `# yaml-language-server: $schema=${RAW}trl.schema.json\n`);
  });

  it('deepspeed: exit 2, JSON has no comments, and says what to do instead', () => {
    const r = ftw(['schema', 'deepspeed', '--modeline']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^ftw: a modeline is a YAML comment and DeepSpeed configs are JSON: map the schema in your editor instead \(VS Code: "json\.schemas": \[\{"fileMatch": \["ds_config\*\.json"\], "url": "https:\/\/raw\.githubusercontent\.com\/.*\/deepspeed\.schema\.json"\}\]/,
    );
  });

  it('bad usage: an unknown format, or no format', () => {
    const unknown = ftw(['schema', 'axolotol', '--modeline']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown format 'axolotol'/);
    assert.equal(ftw(['schema', '--modeline']).status, 2);
  });

  it('our own checks read the modeline as the format it names (not as a foreign schema that silences the file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-modeline-'));
    // Content alone would not say TRL: the modeline does.
    writeFileSync(join(dir, 'run.yml'), `${ftw(['schema', 'trl', '--modeline']).stdout}model_name_or_path: Qwen/Qwen2.5-0.5B\n`);
    const r = spawnSync(process.execPath, [FTW, 'detect', 'run.yml'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.stdout, 'run.yml\ttrl\n');
  });

  it('without --modeline the schema itself, unchanged', () => {
    const r = ftw(['schema', 'axolotl']);
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(readFileSync(join(SCHEMAS, 'axolotl.schema.json'), 'utf8')));
  });
});

describe('yaml-language-server with our modeline (no Fine-Tune Workbench server)', () => {
  it('fetches the schema the modeline names and reports types, ranges and unknown keys from it; hover shows our descriptions', async () => {
    const modeline = ftw(['schema', 'axolotl', '--modeline']).stdout.trim();
    const fetched: string[] = [];
    const yamlls = getLanguageService({
      // The GitHub URL served from this checkout: yaml-language-server would fetch it over HTTP.
      schemaRequestService: async (uri: string) => {
        fetched.push(uri);
        if (!uri.startsWith(RAW)) throw new Error(`unexpected schema request ${uri}`);
        return readFileSync(join(SCHEMAS, uri.slice(RAW.length)), 'utf8');
      },
      workspaceContext: { resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).toString() },
    });
    yamlls.configure({ validate: true, hover: true, completion: true, yamlVersion: '1.1' });
    const text = [modeline, 'base_model: NousResearch/Llama-3.2-1B', 'micro_batch_size: two', 'warmup_ratio: 1.5', 'lora_dropuot: 0.1', ''].join('\n');
    const doc = TextDocument.create('file:///project/lora.yml', 'yaml', 1, text);
    const diagnostics = await yamlls.doValidation(doc, false);
    assert.deepEqual(fetched, [`${RAW}axolotl.schema.json`]);
    assert.deepEqual(
      diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message} (${d.source})`),
      [
        '1:0 Missing property "learning_rate". (yaml-schema: Axolotl training config)',
        '2:18 Incorrect type. Expected one of integer, null. (yaml-schema: Axolotl training config)',
        '3:14 Value is above the maximum of 1. (yaml-schema: Axolotl training config)',
        '4:0 Property lora_dropuot is not allowed. (yaml-schema: Axolotl training config)',
      ],
    );
    const hover = await yamlls.doHover(doc, { line: 3, character: 2 });
    assert.match(JSON.stringify(hover?.contents), /Fraction of total steps used for LR warmup/);
  });
});

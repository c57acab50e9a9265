import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv04 from 'ajv-draft-04';
import { parse } from 'yaml';
import { AXOLOTL_BASE, FTW, REPO, workspace } from './helpers';

// GitHub: `ftw check --format sarif` against the SARIF 2.1.0 JSON Schema, `--format github` workflow commands, and
// action.yml's check step (action/check.sh) run as the runner runs it.
//
// The schema is the OASIS SARIF 2.1.0 schema (final "rtm.5" revision, JSON Schema draft-04) as shipped in the npm
// package @microsoft/jest-sarif (MIT, devDependency, lib/schemas/sarif-2.1.0-rtm.5.json); ajv-draft-04 is Ajv 8
// (the ajv we depend on) with draft-04 semantics.

const SARIF_SCHEMA = join(dirname(require.resolve('@microsoft/jest-sarif')), 'schemas', 'sarif-2.1.0-rtm.5.json');

function sarifValidator() {
  // unicodeRegExp off: one of the schema's patterns (a language tag) is not a valid `u`-flag regular expression.
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  // The schema's formats, checked as RFC 3986 / RFC 3339 say (Ajv has no format checks of its own).
  const uriReference = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;
  ajv.addFormat('uri-reference', uriReference);
  ajv.addFormat('uri', (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && uriReference.test(s));
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i);
  return ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')));
}

/** The parts of a SARIF log these tests read. */
interface SarifResult {
  level: string;
  locations: Array<{ physicalLocation: { region: { startLine: number }; artifactLocation: { uri: string } } }>;
}
interface SarifLog {
  runs: Array<{ results: SarifResult[] }>;
}

function ftw(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [FTW, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Problems of every kind the CLI reports: YAML and JSON configs, a Lightning file, odd file names. */
const MIXED = {
  'configs/qlora.yml': `${AXOLOTL_BASE}\nwarmup_ratio: 1.5\nlora_dropuot: 0.1`,
  'ds/zero3.json': '{\n  "zero_optimization": {"stage": 5},\n  "train_micro_batch_size_per_gpu": 1\n}',
  'train.py': 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(gpus=1)\n',
  'odd names/a, b:c #1 100%.yml': `${AXOLOTL_BASE}\nwarmup_ratio: 2`,
};

describe('ftw check --format sarif', () => {
  const validate = sarifValidator();

  it('is valid SARIF 2.1.0 for configs, Lightning code and odd file names', () => {
    const dir = workspace(MIXED);
    const r = ftw(['check', '--format', 'sarif'], dir);
    assert.equal(r.status, 1, r.stderr);
    const sarif = JSON.parse(r.stdout) as SarifLog;
    const uris = [...new Set(sarif.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri))].sort();
    assert.ok(validate(sarif), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(uris, ['configs/qlora.yml', 'ds/zero3.json', 'odd%20names/a%2C%20b%3Ac%20%231%20100%25.yml', 'train.py']);
    // Each URI names the file: decoded, it is the path relative to the working folder.
    assert.equal(decodeURIComponent(uris[2]), 'odd names/a, b:c #1 100%.yml');
  });

  it('is valid SARIF with no results', () => {
    const dir = workspace({ 'qlora.yml': AXOLOTL_BASE });
    const r = ftw(['check', '--format', 'sarif'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors));
  });

  it('the schema check catches what code scanning would refuse', () => {
    // Not a test of ftw: proof that the validator is not a no-op (an LSP severity name is no SARIF level; a
    // region line is 1-based; a raw space is no URI).
    const dir = workspace({ 'qlora.yml': `${AXOLOTL_BASE}\nwarmup_ratio: 1.5` });
    const good = JSON.parse(ftw(['check', '--format', 'sarif'], dir).stdout) as SarifLog;
    assert.ok(validate(structuredClone(good)));
    const mutations: Array<[string, (r: SarifResult) => void]> = [
      ['level information', (r) => (r.level = 'information')],
      ['startLine 0', (r) => (r.locations[0].physicalLocation.region.startLine = 0)],
      ['uri with a space', (r) => (r.locations[0].physicalLocation.artifactLocation.uri = 'my config.yml')],
    ];
    for (const [label, mutate] of mutations) {
      const bad = structuredClone(good);
      mutate(bad.runs[0].results[0]);
      assert.equal(validate(bad), false, `${label} must be refused`);
    }
  });
});

describe('ftw check --format github', () => {
  it('prints one workflow command per problem, 1-based, with escaped properties and data, then the summary', () => {
    const dir = workspace({
      'a, b:c.yml': `${AXOLOTL_BASE}\nwarmup_ratio: 1.5\nlora_dropuot: 0.1`,
      'ds/zero3.json': '{\n  "zero_optimization": {"stage": 5}\n}',
    });
    const r = ftw(['check', '--format', 'github'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stdout,
      [
        "::error file=a%2C b%3Ac.yml,line=9,col=15,endLine=9,endColumn=18,title=FT104 Number out of range::'warmup_ratio' must be <= 1, not 1.5.",
        "::warning file=a%2C b%3Ac.yml,line=10,col=1,endLine=10,endColumn=13,title=FT101 Unknown key (with \"did you mean\")::Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'? [fixable: ftw fix]",
        "::error file=ds/zero3.json,line=2,col=34,endLine=2,endColumn=35,title=FT103 Value not among the allowed values::5 is not an allowed value for 'zero_optimization.stage'. Allowed: 0, 1, 2, 3.",
        '2 errors, 1 warning in 2 config files (2 files read); 1 fixable with a quick fix.',
        '',
      ].join('\n'),
    );
  });

  it('prints only the summary when there is nothing to report', () => {
    const dir = workspace({ 'qlora.yml': AXOLOTL_BASE });
    const r = ftw(['check', '--format', 'github'], dir);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'No problems in 1 config file (1 file read).\n');
  });
});

describe('action.yml', () => {
  const action = parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as {
    runs: {
      using: string;
      steps: Array<{ id?: string; run?: string; uses?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> }>;
    };
    inputs: Record<string, { default?: string }>;
  };

  it('is a composite action whose check step runs action/check.sh and whose upload step is gated on sarif', () => {
    assert.equal(action.runs.using, 'composite');
    const check = action.runs.steps.find((s) => s.id === 'check');
    assert.equal(check?.run, 'bash "$GITHUB_ACTION_PATH/action/check.sh"');
    assert.deepEqual(Object.keys(check?.env ?? {}).sort(), ['FTW_GPU', 'FTW_PATHS', 'FTW_SARIF', 'FTW_SARIF_FILE']);
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    assert.match(upload?.if ?? '', /inputs\.sarif == 'true'/);
    assert.equal(upload?.with?.['sarif_file'], '${{ steps.check.outputs.sarif-file }}');
    assert.equal(action.inputs['sarif']?.default, 'true');
  });

  function runStep(dir: string, env: Record<string, string>) {
    const output = join(dir, '.github-output');
    writeFileSync(output, '');
    const r = spawnSync('bash', [join(REPO, 'action', 'check.sh')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', GITHUB_OUTPUT: output, ...env },
    });
    return { ...r, outputs: readFileSync(output, 'utf8') };
  }

  it('with sarif off: workflow commands on stdout, exit-code=1 as a step output, the step itself exits 0', () => {
    const dir = workspace({ 'configs/qlora.yml': `${AXOLOTL_BASE}\nwarmup_ratio: 1.5`, 'other/ok.yml': AXOLOTL_BASE });
    const r = runStep(dir, { FTW_SARIF: 'false', FTW_PATHS: 'configs other' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^::error file=configs\/qlora\.yml,line=9,col=15,endLine=9,endColumn=18,title=FT104 Number out of range::'warmup_ratio' must be <= 1, not 1\.5\.$/m,
    );
    assert.match(r.stdout, /in 2 config files/);
    assert.equal(r.outputs, 'exit-code=1\n');
  });

  it('with sarif on: a valid SARIF file named in the outputs, the problems as text in the log', () => {
    const dir = workspace({ 'configs/qlora.yml': `${AXOLOTL_BASE}\nwarmup_ratio: 1.5` });
    const r = runStep(dir, { FTW_SARIF: 'true', FTW_SARIF_FILE: 'out.sarif', FTW_PATHS: '.', FTW_GPU: 'A100 80GB' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^configs\/qlora\.yml:9:15: error FT104 /m);
    assert.equal(r.outputs, 'sarif-file=out.sarif\nexit-code=1\n');
    const validate = sarifValidator();
    assert.ok(validate(JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'))), JSON.stringify(validate.errors));
  });

  it("bad input (an unknown GPU) gives exit-code=2 and ftw's message", () => {
    const dir = workspace({ 'qlora.yml': AXOLOTL_BASE });
    const r = runStep(dir, { FTW_SARIF: 'false', FTW_GPU: 'Voodoo 2' });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /unknown GPU 'Voodoo 2'/);
    assert.equal(r.outputs, 'exit-code=2\n');
  });
});

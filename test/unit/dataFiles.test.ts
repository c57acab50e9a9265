// Issue 17 (3): the model catalog and the Lightning migration table are data files (models.json, migrations.json)
// read by small typed readers that check every entry as it is loaded.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MIGRATIONS, readMigrations } from '../../server/src/core/lightning/table';
import { MODEL_CATALOG, readCatalog } from '../../server/src/core/vram/catalogData';
import { REPO } from './helpers';

const json = (path: string): unknown => JSON.parse(readFileSync(join(REPO, path), 'utf8'));

describe('data files and their readers', () => {
  it('the shipped files load whole: every model and every migration row', () => {
    const models = json('server/src/core/vram/models.json') as unknown[];
    const rows = json('server/src/core/lightning/migrations.json') as unknown[];
    assert.equal(MODEL_CATALOG.length, models.length);
    assert.equal(MIGRATIONS.length, rows.length);
    assert.ok(MODEL_CATALOG.length >= 70 && MIGRATIONS.length >= 380);
    assert.equal(new Set(MIGRATIONS.map((r) => r.id)).size, MIGRATIONS.length);
    assert.equal(new Set(MODEL_CATALOG.map((m) => m.id)).size, MODEL_CATALOG.length);
  });

  it('a malformed model entry stops the load with its index, id and field', () => {
    const good = {
      id: 'org/m',
      dims: {
        parameters: 10,
        hiddenSize: 2,
        layers: 1,
        attentionHeads: 1,
        kvHeads: 1,
        headDim: 2,
        intermediateSize: 4,
        vocabSize: 3,
        tiedEmbeddings: true,
        mlp: 'gated',
      },
      source: 'test',
    };
    assert.equal(readCatalog([good])[0].id, 'org/m');
    assert.throws(
      () => readCatalog([good, { ...good, id: 'org/bad', dims: { ...good.dims, layers: 1.5 } }]),
      /models\.json entry 1 \(org\/bad\): 'dims\.layers' must be a positive integer/,
    );
    assert.throws(() => readCatalog([{ ...good, dims: { ...good.dims, mlp: 'swiglu' } }]), /'dims\.mlp' must be 'gated' or 'plain'/);
    assert.throws(() => readCatalog([{ ...good, dims: { ...good.dims, hidden_size: 4 } }]), /'dims\.hidden_size' is not a dimension the estimator knows/);
    assert.throws(() => readCatalog([{ ...good, source: '' }]), /'source' must say where the numbers come from/);
    assert.throws(() => readCatalog({}), /must hold a list/);
  });

  it('a malformed migration row stops the load with its index, id and field', () => {
    const good = { id: 'hook.x', kind: 'hook', name: 'x', replacement: 'y', fix: { kind: 'renameMethod', to: 'y' }, removedIn: '2.0', behaviour: 'silent' };
    assert.equal(readMigrations([good]).length, 1);
    assert.throws(() => readMigrations([good, good]), /row 1 \(hook\.x\): 'id' hook\.x is used twice/);
    assert.throws(() => readMigrations([{ ...good, kind: 'hooks' }]), /row 0 \(hook\.x\): 'kind' must be one of hook, hookSignature/);
    assert.throws(() => readMigrations([{ ...good, fix: { kind: 'rename' } }]), /'fix\.kind' must be one of/);
    assert.throws(() => readMigrations([{ ...good, behaviour: 'breaks' }]), /'behaviour' must be one of raises, silent, warns, changed/);
    assert.throws(() => readMigrations([{ ...good, removed_in: '2.0' }]), /'removed_in' is not a field of a migration row/);
  });
});

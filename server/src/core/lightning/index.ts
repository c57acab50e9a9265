/** The Lightning 1.x → 2.x checker for Python files: its diagnostics and quick fixes, the migration table, and the
 *  incremental Python parse the host keeps per document. */
export { LIGHTNING_CODES, LIGHTNING_NEWEST, lightningDiagnostics, type LightningContext } from './service';
export { IncrementalPython, type PythonChange } from './incremental';
export { MIGRATIONS, readMigrations, type MigrationRule } from './table';

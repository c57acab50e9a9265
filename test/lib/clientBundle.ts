import { join } from 'node:path';
import { build } from 'esbuild';

const REPO = join(__dirname, '..', '..', '..');

/** dist/client.js as `node client/build.mjs --production` bundles it (the same options), with esbuild's input map. */
export async function clientBundle(): Promise<{ bytes: number; inputs: Record<string, number> }> {
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: ['client/src/extension.ts'],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    external: ['vscode'],
    write: false,
    metafile: true,
    outfile: 'dist/client.js',
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { bytes: result.outputFiles[0].contents.length, inputs: Object.fromEntries(Object.entries(output.inputs).map(([k, v]) => [k, v.bytesInOutput])) };
}

/** Bytes per group: each npm package, server/src/core, server/src (the rest), client/src. */
export function byGroup(inputs: Record<string, number>): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const [path, bytes] of Object.entries(inputs)) {
    const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
    const group =
      pkg ?? (path.startsWith('server/src/core/') ? 'server/src/core' : path.startsWith('server/') ? 'server/src (protocol, job runtime)' : 'client/src');
    groups[group] = (groups[group] ?? 0) + bytes;
  }
  return groups;
}

/**
 * The size of dist/client.js minified (as `node client/build.mjs --production` builds it), by where its bytes come
 * from. A figure, not a pass/fail (test/unit/clientBundle.test.ts fails when core code enters the bundle):
 *   npx tsc -b && node out/test/bench/clientBundleSize.js
 */
import { byGroup, clientBundle } from '../lib/clientBundle';

void (async () => {
  const { bytes, inputs } = await clientBundle();
  const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
  console.log(`dist/client.js (minified): ${kb(bytes)}`);
  for (const [group, n] of Object.entries(byGroup(inputs)).sort((a, b) => b[1] - a[1])) console.log(`  ${group.padEnd(36)} ${kb(n).padStart(9)}`);
})();

// Where validation time goes: profiles the in-process validator on one fixture with the V8 CPU profiler (the
// same data `node --cpu-prof` writes), saves the .cpuprofile (open it in Chrome DevTools or VS Code), and prints
// self time by function and by module.
// Usage: node out/test/bench/profile.js [--target ours|yls] [--fixture small|large] [--iterations N]
//        node out/test/bench/profile.js --summarize FILE.cpuprofile   (e.g. one from `npm run bench -- --profile-server`)
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { largeAxolotl, smallAxolotl, withSeed } from './fixtures';
import { Validate, yamlLsValidator } from './measureCore';
import { ourValidator } from './ourCore';
import { fileUri, fixtureDir, outDir, repoRoot } from './servers';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function post<T>(session: inspector.Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))));
}

/** Module a frame belongs to: a package under node_modules, a file of ours, or a V8/Node category. */
function moduleOf(url: string): string {
  if (!url) return '(native / GC / idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.relative(repoRoot, file);
}

/** A frame's file, short: the path inside node_modules, or relative to the repository. */
function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  return url.startsWith('file://') ? path.relative(repoRoot, new URL(url).pathname) : url;
}

function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  return self;
}

function top(entries: Map<string, number>, total: number, n: number): string {
  return [...entries.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${v.toFixed(1).padStart(8)} ms  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
}

async function main(): Promise<void> {
  const existing = option('summarize', '');
  if (existing) return summarize(JSON.parse(fs.readFileSync(existing, 'utf8')) as CpuProfile);
  const target = option('target', 'ours');
  const fixture = option('fixture', 'large') === 'small' ? smallAxolotl() : largeAxolotl();
  const iterations = Number(option('iterations', fixture.lines > 1000 ? '50' : '300'));
  let validate: Validate;
  if (target === 'yls') {
    validate = yamlLsValidator([fixture.fileName]);
  } else {
    validate = ourValidator();
  }
  const uri = fileUri(path.join(fixtureDir, fixture.fileName));
  for (let v = 1; v <= 5; v++) await validate(TextDocument.create(uri, 'yaml', v, withSeed(fixture.text, v))); // warm up

  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const t0 = performance.now();
  for (let v = 10; v < 10 + iterations; v++) await validate(TextDocument.create(uri, 'yaml', v, withSeed(fixture.text, v)));
  const wall = performance.now() - t0;
  const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
  session.disconnect();

  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `profile-${target}-${fixture.name}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));

  console.log(`${target} on ${fixture.name}: ${iterations} validations in ${wall.toFixed(0)} ms (${(wall / iterations).toFixed(2)} ms each)`);
  console.log(`Profile: ${path.relative(process.cwd(), file)}\n`);
  summarize(profile);
}

function summarize(profile: CpuProfile): void {
  const self = selfTimes(profile);
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    if (t === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const mod = moduleOf(url);
    const fn = `${functionName || '(anonymous)'}  ${url ? `${shortUrl(url)}:${lineNumber + 1}` : mod}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
    byModule.set(mod, (byModule.get(mod) ?? 0) + t);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`Self time by module:\n${top(byModule, total, 12)}`);
  console.log(`\nSelf time by function:\n${top(byFunction, total, 25)}`);
  console.log(`\nTotal time (self + callees) by function, busy time only:\n${top(inclusiveTimes(profile, self), total, 30)}`);
}

/** Time with callees: each sample counts once for every distinct function on its stack. */
function inclusiveTimes(profile: CpuProfile, self: Map<number, number>): Map<string, number> {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node);
  }
  const label = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`;
  const out = new Map<string, number>();
  for (const [id, t] of self) {
    const leaf = byId.get(id);
    if (!leaf || ['(idle)', '(program)', '(root)'].includes(leaf.callFrame.functionName)) continue;
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = parent.get(n.id)) {
      if (n.callFrame.functionName === '(root)') break;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      out.set(l, (out.get(l) ?? 0) + t);
    }
  }
  return out;
}

// Only when run directly, not when `node --test out/test/` loads every file.
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(2);
  });
}

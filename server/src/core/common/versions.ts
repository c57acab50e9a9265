import type { FormatId } from './formats';

/**
 * Which release of each tool the project uses, from `finetune.versions`, else from the project's pins
 * (requirements*.txt, pyproject.toml, setup.cfg, environment.yml), else the newest we know.
 */
export interface ToolVersion {
  /** "0.19.1": the release the checks assume. */
  version: string;
  /** Where it came from: "setting", "requirements.txt", ... or "newest" (no pin). */
  source: string;
}

/** The pip package whose version decides each format's keys. */
export const PACKAGE_OF: Partial<Record<FormatId, string>> = {
  axolotl: 'axolotl',
  deepspeed: 'deepspeed',
  llamafactory: 'llamafactory',
  trl: 'trl',
  torchtune: 'torchtune',
  'lightning-cli': 'lightning',
  accelerate: 'accelerate',
  'hf-args': 'transformers',
};

/** Normalised pip names: PEP 503 (lower case, runs of -_. as -), plus the old Lightning package name. */
export function packageKey(name: string): string {
  const n = name.toLowerCase().replace(/[-_.]+/g, '-');
  return n === 'pytorch-lightning' ? 'lightning' : n;
}

/** "v0.12.0", "<=1.0.0", "5.2.0 (announced)" -> [0, 12, 0]; null when there is no version in it. */
export function parseVersion(text: string | undefined): number[] | null {
  const m = /(\d+(?:\.\d+)*)/.exec(text ?? '');
  return m ? m[1].split('.').map(Number) : null;
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * The release a requirement pins: `==1.2.3`, `~=1.2`, `<=1.7.7`, or below an upper bound (`>=0.9,<0.10` -> just below 0.10,
 * reported as "<0.10"). A lower bound alone does not pin: the newest release satisfies it.
 */
export function pinnedVersion(spec: string): string | undefined {
  const exact = /(?:===?|~=)\s*([\w.*]+)/.exec(spec);
  if (exact) return exact[1].replace(/\.\*$/, '');
  const caret = /^\s*[\^~]\s*([\d.]+)/.exec(spec); // poetry: ^0.19 means >=0.19,<0.20 (for 0.x)
  if (caret) return caret[1];
  // `<=1.7.7`: the newest release it allows is the bound itself.
  const atMost = /<=\s*([\d.]+)/.exec(spec);
  if (atMost) return atMost[1];
  const below = /<\s*([\d.]+)/.exec(spec);
  if (below) return `<${below[1]}`;
  return undefined;
}

const REQUIREMENT = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*((?:[<>=!~^]=?|===)\s*[^;#\s,][^;#]*)?/;

/** Pins from one project file, by package key. */
export function parsePins(fileName: string, text: string): Map<string, string> {
  const pins = new Map<string, string>();
  const add = (name: string, spec: string | undefined) => {
    if (!spec) return;
    const v = pinnedVersion(spec);
    if (v) pins.set(packageKey(name), v);
  };
  const base = fileName.replace(/^.*[\\/]/, '');
  if (/^requirements.*\.(txt|in)$/i.test(base) || base === 'constraints.txt') {
    for (const line of text.split(/\r?\n/)) {
      const m = REQUIREMENT.exec(line.replace(/#.*$/, ''));
      if (m && !line.trim().startsWith('-')) add(m[1], m[2]);
    }
  } else if (base === 'pyproject.toml') {
    // PEP 621 `dependencies = ["trl==0.19.1", ...]` and optional groups: any quoted requirement string (with an
    // environment marker after `;`).
    for (const m of text.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*((?:[<>=!~]=?|===)[^"';]*)(?:;[^\n"]*)?["']/g)) add(m[1], m[2]);
    // Poetry `trl = "^0.19"` or `trl = { version = "0.19.1" }`.
    for (const m of text.matchAll(/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(?:"([^"]+)"|\{[^}]*version\s*=\s*"([^"]+)")/gm)) {
      const spec = m[2] ?? m[3];
      if (spec && /\d/.test(spec) && !['python', 'version', 'name', 'requires-python'].includes(m[1].toLowerCase()))
        add(m[1], /^\d/.test(spec) ? `==${spec}` : spec);
    }
  } else if (base === 'setup.cfg' || base === 'environment.yml' || base === 'environment.yaml') {
    for (const line of text.split(/\r?\n/)) {
      const m = REQUIREMENT.exec(line.replace(/^\s*-\s*/, '').replace(/#.*$/, ''));
      if (m && /[<>=~!]/.test(m[2] ?? '')) add(m[1], m[2].replace(/^=(?=\d)/, '==')); // conda writes name=1.2
    }
  }
  return pins;
}

/** The files that hold pins, in the order they are read (later ones win). */
export const PIN_FILES = /^(requirements[^/\\]*\.(txt|in)|constraints\.txt|pyproject\.toml|setup\.cfg|environment\.ya?ml)$/i;

export function resolveVersion(
  pkg: string,
  settings: Record<string, string> | undefined,
  pins: Map<string, { version: string; file: string }> | undefined,
  newest: string,
): ToolVersion {
  const set = settings?.[pkg] ?? settings?.[packageKey(pkg)];
  if (set) return { version: set.replace(/^v/, ''), source: 'setting' };
  const pin = pins?.get(packageKey(pkg));
  if (pin) return { version: pin.version.replace(/^v/, ''), source: pin.file };
  return { version: newest.replace(/^v/, ''), source: 'newest' };
}

/**
 * Is a pinned version at or after a release? A pin "<0.10" means "some 0.9.x": before 0.10, after 0.9.
 * Returns undefined when unknown.
 */
export function atOrAfter(pinned: string, release: string | undefined): boolean | undefined {
  const r = parseVersion(release);
  if (!r) return undefined;
  if (pinned.startsWith('<')) {
    // Some release below the bound: certainly before any release at or above it; otherwise unknown.
    const bound = parseVersion(pinned);
    return bound && compareVersions(r, bound) >= 0 ? false : undefined;
  }
  const p = parseVersion(pinned);
  return p ? compareVersions(p, r) >= 0 : undefined;
}

/** The project pins a release before `release` (a pin, not the newest we assume): code still on the old API. */
export function pinnedBefore(version: ToolVersion, release: string): boolean {
  return version.source !== 'newest' && atOrAfter(version.version, release) === false;
}

/**
 * Quoting for the files we generate that another program reads: the sbatch script (bash) and the SkyPilot task
 * (YAML, which SkyPilot loads with PyYAML, and whose `run` is bash). Everything else runs as argv, without a shell
 * (DESIGN §7). Every value written into those files (names, paths, comments) goes through one of these
 * functions, so that a file name such as `$'x\ntouch PWNED\n#.yml'` stays one word, one value or one comment line.
 */

/** C0 and C1 controls and DEL: never written raw into a generated file (a terminal would act on them too). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A word bash reads as itself, unquoted. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word for bash: bare when it is plainly safe, single-quoted ('it'\''s) otherwise, and ANSI-C quoted
 * ($'a\nb') when it holds control characters, so that the script stays printable text with one word per word.
 */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  if (!CONTROL.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  let out = '';
  for (const ch of word) {
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (CONTROL.test(ch)) for (const byte of new TextEncoder().encode(ch)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `$'${out}'`;
}

/**
 * A command line for bash (or to show a person): each word quoted. The words at `expand` are ours (the rendezvous
 * flags) and must expand on the node: they are double-quoted, which lets `$MASTER_ADDR` through and nothing of
 * anyone else's words, since those are quoted on their own.
 */
export function shellJoin(argv: readonly string[], expand: readonly number[] = []): string {
  return argv.map((word, i) => (expand.includes(i) && !SAFE_WORD.test(word) ? `"${word.replace(/["\\`]/g, '\\$&')}"` : shellQuote(word))).join(' ');
}

/** A bash variable name from any key: word characters only, not starting with a digit. */
export function shellVarName(key: string): string {
  const name = key.replace(/\W/g, '_');
  return /^[0-9]/.test(name) || name === '' ? `_${name}` : name;
}

/**
 * Characters written raw into YAML: what PyYAML accepts in a document (yaml/reader.py NON_PRINTABLE) less its line
 * breaks (NEL, U+2028, U+2029: a raw one would end a line of a block) and the byte order mark.
 */
const YAML_PRINTABLE = /^[\u0020-\u007e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]$/u;

/** A YAML double-quoted scalar for any string: PyYAML reads back exactly `text`, on one line. */
export function yamlQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (YAML_PRINTABLE.test(ch)) out += ch;
    else out += codePointEscape(ch);
  }
  return `${out}"`;
}

/**
 * Text for a `# ...` comment line of bash or YAML: whatever would end the line (a newline, a carriage return,
 * PyYAML's NEL and Unicode line separators), act on a terminal or stop PyYAML is written as a visible escape.
 */
export function commentText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (YAML_PRINTABLE.test(ch)) out += ch;
    else out += ESCAPES[ch] ?? codePointEscape(ch);
  }
  return out;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function codePointEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : code <= 0xffff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\U${code.toString(16).padStart(8, '0')}`;
}

/** YAML 1.1 words that a plain key would turn into a boolean or null. */
const YAML11_SPECIAL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

/** A mapping key: plain when it is an identifier that YAML 1.1 reads as that string, else double-quoted. */
export function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !YAML11_SPECIAL.test(key) ? key : yamlQuote(key);
}

/**
 * A multi-line value (a script) after `key: ` at `indent`: a literal block (`|`) that a person can read when every
 * line is plain printable text, else a double-quoted scalar (the same string, escaped).
 */
export function yamlBlock(text: string, indent: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const readable = lines.every((l) => l.trim() !== '' && [...l].every((ch) => ch === '\t' || YAML_PRINTABLE.test(ch))) && !/^[ \t]/.test(lines[0]);
  if (!readable) return yamlQuote(text);
  return `|${text.endsWith('\n') ? '' : '-'}\n${lines.map((l) => `${indent}${l}`).join('\n')}`;
}

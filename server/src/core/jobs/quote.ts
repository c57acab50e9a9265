/**
 * Shell quoting for the few places where a shell must read our words: the sbatch script and SkyPilot's `run`.
 * Everything else runs as argv, without a shell (DESIGN §7).
 */

/** One word for POSIX sh: bare when it is plainly safe, else single-quoted ('it'\''s'). */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line to show a person (or to paste): each word quoted as sh would need it. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

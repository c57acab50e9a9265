/** Issue 12's pathological texts, shared by the unit and the language-server tests. */

/** The merge bomb: 7 lines, each mapping 9 keys to a merge of the line before. */
export function mergeBomb(lines = 7): string {
  const out = ['a0: &a0 {k: v}'];
  for (let n = 1; n <= lines; n++) out.push(`a${n}: &a${n} {${Array.from({ length: 9 }, (_, i) => `m${i}: {<<: *a${n - 1}}`).join(', ')}}`);
  return out.join('\n');
}

/** Lines that each open a `{` and never close it, about `kib` KiB of them, after a real first line. */
export function unclosedBraces(kib: number): string {
  const lines = ['base_model: NousResearch/Llama-3.2-1B'];
  for (let i = 0; lines.join('\n').length < kib * 1024; i++) lines.push(`{key_${String(i).padStart(5, '0')}: value`);
  return lines.join('\n');
}

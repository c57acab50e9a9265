import type { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetRange, type Fix } from '../common/diagnostics';
import type { LightningFinding } from './detect';
import { removeArguments, toEdits } from './edits';
import type { Node } from './python';

// Trainer(gpus=V) and its siblings → accelerator= + devices=. 2.x's `devices` parses the same values as 1.x's `gpus`
// (an int count, -1 for all, a list or "0,1" string of indices: lightning/fabric/utilities/device_parser.py,
// _parse_gpu_ids), so the value carries over; only "no GPU" (0, None) needs accelerator="cpu".

const ACCELERATOR: Record<string, string> = { gpus: 'gpu', tpu_cores: 'tpu', ipus: 'ipu', num_processes: 'cpu' };
/** 1.x strategy names passed as accelerator= (their own rule turns them into strategy=). */
const STRATEGY_AS_ACCELERATOR = /^["'](?:ddp|ddp_spawn|ddp_cpu|ddp2|dp|ddp_sharded|horovod)["']$/;
const SIMPLE = new Set(['identifier', 'attribute', 'subscript']);

function noDevice(v: Node): boolean {
  return /^(?:0|None|["']0?["'])$/.test(v.text);
}

function literal(v: Node): boolean {
  return v.type === 'integer' || v.type === 'list' || v.type === 'string' || (v.type === 'unary_operator' && /^-\s*1$/.test(v.text));
}

export function migrateDevices(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const arg = f.node.parent;
  const call = arg?.parent;
  // A keyword of the call, or a key of a dict literal splatted into it ({"gpus": 2}): the same values, spelled as
  // that container spells them.
  const inDict = arg?.type === 'pair';
  const value = arg?.childForFieldName('value');
  const accelerator = ACCELERATOR[f.node.text];
  if ((arg?.type !== 'keyword_argument' && !inDict) || !call || !value || !accelerator) return [];
  const keyOf = (c: Node) =>
    c.type === 'pair' ? (c.childForFieldName('key')?.text ?? '').replace(/^(["'])(.*)\1$/, '$2') : (c.childForFieldName('name')?.text ?? '');
  const keywords = new Map(call.namedChildren.filter((c): c is Node => c?.type === (inDict ? 'pair' : 'keyword_argument')).map((c) => [keyOf(c), c]));
  if (keywords.has('devices')) return [];
  const quote = inDict ? textDocument.getText().charAt(arg.childForFieldName('key')!.startIndex) : '';
  const spell = (entries: Array<[string, string]>) => entries.map(([k, v]) => (inDict ? `${quote}${k}${quote}: ${v}` : `${k}=${v}`)).join(', ');
  const replace = (entries: Array<[string, string]>, preferred = true): Fix[] => [
    { title: `Use ${spell(entries)}`, edits: [{ range: offsetRange(textDocument, arg.startIndex, arg.endIndex), newText: spell(entries) }], preferred },
  ];
  const existing = keywords.get('accelerator')?.childForFieldName('value');
  if (f.node.text !== 'gpus') {
    if (existing && f.node.text !== 'num_processes') return [];
    if (noDevice(value)) return [];
    return literal(value)
      ? replace([
          ['accelerator', `"${accelerator}"`],
          ['devices', value.text],
        ])
      : [];
  }
  // An accelerator the user chose (not a 1.x strategy name) is kept: gpus= only said how many.
  const keep = existing && !STRATEGY_AS_ACCELERATOR.test(existing.text) ? existing : undefined;
  if (noDevice(value)) {
    if (!keep) return replace([['accelerator', '"cpu"']]);
    if (!/^["']cpu["']$/.test(keep.text) || inDict) return [];
    const spans = removeArguments(textDocument.getText(), call, [arg]);
    return spans?.length ? [{ title: `Remove ${arg.text} (accelerator is already ${keep.text})`, edits: toEdits(textDocument, spans), preferred: true }] : [];
  }
  if (literal(value))
    return replace(
      keep
        ? [['devices', value.text]]
        : [
            ['accelerator', '"gpu"'],
            ['devices', value.text],
          ],
    );
  // With a variable the value may be 0 or None at run time: offered, but not applied by fix-all.
  if (SIMPLE.has(value.type) && !keep)
    return replace(
      [
        ['accelerator', `"gpu" if ${value.text} else "cpu"`],
        ['devices', `${value.text} or 1`],
      ],
      false,
    );
  return [];
}

/** What to write instead of a gpus= value that has no safe fix: the exact line when the value is `A if C else B`. */
export function devicesHint(f: LightningFinding): string | undefined {
  if (f.node.text !== 'gpus') return undefined;
  const value = f.node.parent?.childForFieldName('value');
  if (!value) return undefined;
  if (value.type === 'conditional_expression') {
    const [a, cond, b] = value.namedChildren.filter((c): c is Node => c !== null);
    if (a && cond && b && (noDevice(b) || noDevice(a))) {
      const [gpu, c] = noDevice(b) ? [a, cond.text] : [b, `not (${cond.text})`];
      const devices = gpu.text === '1' ? '1' : `${gpu.text} if ${c} else 1`;
      return `Here: accelerator="gpu" if ${c} else "cpu", devices=${devices} (gpus=0 and None meant the CPU).`;
    }
    return `Here: accelerator="gpu", devices=${value.text}, if neither branch can be 0 or None (those meant the CPU).`;
  }
  const call = f.node.parent?.parent;
  if (call?.namedChildren.some((c) => c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === 'devices'))
    return 'This call also passes devices=: keep one of the two.';
  if (!noDevice(value) && value.type !== 'integer')
    return `Here: accelerator="gpu", devices=${value.text}, if ${value.text} is never 0 or None (those meant the CPU: accelerator="cpu").`;
  return undefined;
}

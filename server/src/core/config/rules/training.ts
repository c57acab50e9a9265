import type { Finding, Rule } from './types';
import { atOrAfter } from '../../common/versions';
import { asNumber, get, isTrue, modelFamily } from './values';

// Attention backends that keep packed samples apart; with others, packed samples attend to each other and Axolotl
// warns. From v0.18.0 (Axolotl#3796) the set is utils/schemas/enums.py ATTN_IMPLS_SUPPORTING_PACKING plus `sdpa`
// and `eager`, which isolate packed samples with a block-diagonal mask (config.py attn_decontaminates_packing;
// validation.py check_sample_packing_without_attention warns for any other string, kernels-hub ones included).
// Before v0.18.0, only the varlen kernels did.
const VARLEN = new Set(['flash_attention_2', 'flash_attention_3', 'flex_attention', 'sage', 'xformers']);
const KEEPS_APART_0_18 = new Set([
  ...VARLEN,
  'kernels-community/flash-attn2',
  'kernels-community/flash-attn3',
  'kernels-community/sage-attention',
  'sdpa',
  'eager',
]);
const LEGACY_FLAGS_0_18 = ['flash_attention', 'flex_attention', 'xformers_attention', 'sage_attention', 'sdp_attention', 'eager_attention'];

export const packingRule: Rule = {
  codes: ['FT204'],
  formats: ['axolotl'],
  check({ value, version }) {
    if (!isTrue(get(value, 'sample_packing'))) return [];
    const impl = get(value, 'attn_implementation');
    const since018 = !version || atOrAfter(version.version, '0.18.0') !== false;
    const legacy = (since018 ? LEGACY_FLAGS_0_18 : LEGACY_FLAGS_0_18.slice(0, 4)).some((k) => isTrue(get(value, k)));
    const apart = since018 ? typeof impl === 'string' && KEEPS_APART_0_18.has(impl) : typeof impl === 'string' && (VARLEN.has(impl) || impl.includes('/'));
    if (legacy || apart) return [];
    const which = typeof impl === 'string' ? `'attn_implementation: ${impl}'` : 'no attention backend set';
    return [
      {
        code: 'FT204',
        path: ['sample_packing'],
        severity: 'warning',
        message: `'sample_packing' puts several samples in one sequence; with ${which} they are not kept apart and attend to each other (Axolotl warns). Use 'attn_implementation: flash_attention_2' (or flex_attention${since018 ? ', sdpa' : ''}).`,
        fixes: [
          {
            title: "Set 'attn_implementation: flash_attention_2'",
            preferred: false,
            edits: [{ kind: 'set', path: ['attn_implementation'], text: 'flash_attention_2' }],
          },
        ],
      },
    ];
  },
};

// Knowledge distillation: the student learns the teacher's token distribution, which only means something when
// both share a vocabulary; temperatures must be positive and mixing ratios lie in [0, 1].
export const distillationRule: Rule = {
  codes: ['FT214', 'FT215'],
  formats: ['axolotl', 'trl', 'torchtune'],
  check({ format, value }) {
    const out: Finding[] = [];
    const pairs: Array<[string, string]> =
      format === 'trl'
        ? [['teacher_model_name_or_path', 'model_name_or_path']]
        : format === 'torchtune'
          ? [['teacher_model._component_', 'model._component_']]
          : [];
    for (const [teacherKey, studentKey] of pairs) {
      const teacher = get(value, teacherKey);
      const student = get(value, studentKey);
      const tf = modelFamily(teacher);
      const sf = modelFamily(student);
      if (tf && sf && tf !== sf && !(tf.startsWith(sf) || sf.startsWith(tf))) {
        out.push({
          code: 'FT214',
          path: teacherKey.split('.'),
          on: 'value',
          severity: 'warning',
          message: `The teacher (${tf}) and the student (${sf}) use different tokenizers: token-level distillation compares distributions over different vocabularies and teaches nothing useful. Pick a teacher of the student's family.`,
        });
      }
    }
    const ranges: Array<[string, number, number, boolean]> =
      format === 'axolotl'
        ? [
            ['kd_temperature', 0, Infinity, true],
            ['kd_alpha', 0, 1, false],
            ['kd_ce_alpha', 0, Infinity, false],
            ['kd_beta', 0, 1, false],
          ]
        : format === 'trl'
          ? [
              ['temperature', 0, Infinity, true],
              ['lmbda', 0, 1, false],
              ['beta', 0, 1, false],
              ['alpha', 0, 1, false],
            ]
          : [['kd_ratio', 0, 1, false]];
    const isKd =
      format === 'trl'
        ? 'teacher_model_name_or_path' in value
        : format === 'torchtune'
          ? 'teacher_model' in value
          : Object.keys(value).some((k) => k.startsWith('kd_'));
    if (!isKd) return out;
    for (const [key, lo, hi, exclusive] of ranges) {
      const n = asNumber(get(value, key));
      if (n === undefined) continue;
      if ((exclusive ? n <= lo : n < lo) || n > hi) {
        out.push({
          code: 'FT215',
          path: [key],
          on: 'value',
          severity: 'error',
          message: `'${key}' is ${n}; for distillation it must be ${exclusive ? `greater than ${lo}` : `between ${lo} and ${hi}`}${key.includes('temperature') ? ' (it divides the logits)' : ' (it mixes the two losses)'}.`,
        });
      }
    }
    return out;
  },
};

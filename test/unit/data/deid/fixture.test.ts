// The engine measured on the bilingual fixture (test/fixtures/deid, see its README): held-out
// recall ≥ 0.95 for every structured kind; precision/recall printed for names and addresses.
import { describe, expect, it } from 'vitest'
import { detectPhi } from '../../../../main/data/deid'
import { PHI_TYPES, type PhiType } from '../../../../preload/contract/deid'
import { loadDeidFixture, scoreSpans } from '../../../bench/deid-eval'

// Free-text kinds have their own, lower bar (below); every other kind is structured.
const FREE_TEXT: readonly PhiType[] = ['NAME', 'ADDRESS']
const STRUCTURED = PHI_TYPES.filter((t) => !FREE_TEXT.includes(t))
const records = loadDeidFixture()
const heldout = records.filter((r) => r.split === 'heldout')
const scores = scoreSpans(heldout.map((r) => ({ gold: r.gold, found: detectPhi(r.text) })))

describe('de-identification fixture', () => {
  it('has at least 300 labelled spans, about half held out, in both languages', () => {
    const spans = (rs: typeof records): number => rs.reduce((n, r) => n + r.gold.length, 0)
    expect(spans(records)).toBeGreaterThanOrEqual(300)
    const share = spans(heldout) / spans(records)
    expect(share).toBeGreaterThan(0.45)
    expect(share).toBeLessThan(0.65)
    for (const lang of ['en', 'zh'] as const) {
      expect(spans(heldout.filter((r) => r.lang === lang))).toBeGreaterThanOrEqual(100)
    }
  })

  it.each(STRUCTURED)('held-out recall for %s is at least 0.95', (type) => {
    const s = scores[type]
    console.log(
      `${type.padEnd(9)} held-out P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`,
    )
    expect(s.tp + s.fn).toBeGreaterThanOrEqual(10)
    expect(s.recall).toBeGreaterThanOrEqual(0.95)
    expect(s.precision).toBeGreaterThanOrEqual(0.9)
  })

  it.each(FREE_TEXT)('held-out precision and recall for %s reach 0.9', (type) => {
    const s = scores[type]
    console.log(
      `${type.padEnd(9)} held-out P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`,
    )
    expect(s.precision).toBeGreaterThanOrEqual(0.9)
    expect(s.recall).toBeGreaterThanOrEqual(0.9)
  })
})

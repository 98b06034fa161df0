// The benchmarks' label-writing pieces: seeded bilingual clinical notes (3 classes) and latency
// percentiles. Shared by label-latency.ts (SQLite, one user) and team-label-load.ts (PostgreSQL).
import type { SourceRecord } from '../../main/data/types'

const WORDS = [
  ['fever', 'cough', 'wheeze', 'chest', 'sputum', '发热', '咳嗽', '胸痛'],
  ['fracture', 'femur', 'fall', 'bone', 'cast', '骨折', '跌倒', '石膏'],
  ['rash', 'itch', 'eczema', 'skin', 'cream', '皮疹', '瘙痒', '湿疹'],
]
const FILLER = [
  'patient',
  'reports',
  'since',
  'days',
  'with',
  'mild',
  'no',
  'history',
  '患者',
  '既往',
]

/** Seeded notes: class = row % 3, its words mixed with filler (a little noise across classes). */
export function notes(n: number): SourceRecord[] {
  let s = 12345
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 14 }, () =>
      rand() < 0.35 ? pick(WORDS[i % 3]) : rand() < 0.1 ? pick(pick(WORDS)) : pick(FILLER),
    )
    return { row: i + 2, text: `note ${i}: ${words.join(' ')}` }
  })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)]
export const fmt = (ms: number) => `${ms.toFixed(2)} ms`

/** Nearest-rank percentiles of latencies in ms. */
export function summary(times: number[]) {
  const s = [...times].sort((a, b) => a - b)
  return {
    p50: pct(s, 50),
    p90: pct(s, 90),
    p95: pct(s, 95),
    p99: pct(s, 99),
    max: s[s.length - 1],
  }
}

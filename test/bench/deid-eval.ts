// The de-identification fixture (test/fixtures/deid/*.jsonl) and its scoring: parses the inline
// <TYPE>…</TYPE> markup into text + gold spans and counts exact-span matches per type.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PHI_TYPES, type PhiSpanDto, type PhiType } from '../../preload/contract/deid'

export interface DeidRecord {
  id: string
  lang: 'en' | 'zh'
  split: 'dev' | 'heldout'
  text: string
  gold: PhiSpanDto[]
}

export const DEID_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/deid', import.meta.url))

/** Strips the markup of one record: `a <PHONE>123</PHONE> b` → text `a 123 b`, span PHONE [2,5). */
export function parseMarked(marked: string): { text: string; gold: PhiSpanDto[] } {
  const tag = /<([A-Z_]+)>([^<]*)<\/\1>/g
  let text = ''
  let at = 0
  const gold: PhiSpanDto[] = []
  for (const m of marked.matchAll(tag)) {
    const type = m[1] as PhiType
    if (!(PHI_TYPES as readonly string[]).includes(type)) throw new Error(`unknown tag <${type}>`)
    text += marked.slice(at, m.index)
    gold.push({ type, start: text.length, end: text.length + m[2].length })
    text += m[2]
    at = m.index! + m[0].length
  }
  text += marked.slice(at)
  if (/<\/?[A-Z_]+>/.test(text)) throw new Error(`unbalanced markup in: ${marked.slice(0, 60)}`)
  return { text, gold }
}

/** heldout.jsonl and heldout2.jsonl are the held-out half (see the README); dev.jsonl tunes the rules. */
export const DEID_FIXTURE_FILES = ['heldout.jsonl', 'heldout2.jsonl', 'dev.jsonl'] as const

export function loadDeidFixture(): DeidRecord[] {
  const out: DeidRecord[] = []
  for (const file of DEID_FIXTURE_FILES) {
    const lines = readFileSync(join(DEID_FIXTURE_DIR, file), 'utf8').split('\n')
    for (const line of lines) {
      if (!line.trim()) continue
      const r = JSON.parse(line) as {
        id: string
        lang: 'en' | 'zh'
        split: 'dev' | 'heldout'
        text: string
      }
      out.push({ id: r.id, lang: r.lang, split: r.split, ...parseMarked(r.text) })
    }
  }
  return out
}

export interface TypeScore {
  tp: number
  fp: number
  fn: number
  precision: number
  recall: number
}

/** Exact-span scoring per type: a found span counts only when type, start and end all match. */
export function scoreSpans(
  pairs: { gold: PhiSpanDto[]; found: PhiSpanDto[] }[],
  types: readonly PhiType[] = PHI_TYPES,
): Record<string, TypeScore> {
  const key = (s: PhiSpanDto): string => `${s.type}:${s.start}:${s.end}`
  const out: Record<string, TypeScore> = {}
  for (const t of types) {
    let tp = 0
    let fp = 0
    let fn = 0
    for (const { gold, found } of pairs) {
      const g = new Set(gold.filter((s) => s.type === t).map(key))
      const f = new Set(found.filter((s) => s.type === t).map(key))
      for (const k of f) {
        if (g.has(k)) tp++
        else fp++
      }
      for (const k of g) if (!f.has(k)) fn++
    }
    out[t] = {
      tp,
      fp,
      fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    }
  }
  return out
}

/**
 * Lenient scoring per type: a gold span is found when a found span of its type overlaps it, and a
 * found span is right when it overlaps a gold span of its type (boundary conventions differ
 * between tools, e.g. whether "+1" or "ext. 12" belongs to a phone number).
 */
export function scoreSpansOverlap(
  pairs: { gold: PhiSpanDto[]; found: PhiSpanDto[] }[],
  types: readonly PhiType[] = PHI_TYPES,
): Record<string, TypeScore> {
  const overlaps = (a: PhiSpanDto, b: PhiSpanDto): boolean => a.start < b.end && b.start < a.end
  const out: Record<string, TypeScore> = {}
  for (const t of types) {
    let tp = 0
    let fp = 0
    let fn = 0
    let right = 0
    let found = 0
    for (const p of pairs) {
      const g = p.gold.filter((s) => s.type === t)
      const f = p.found.filter((s) => s.type === t)
      for (const s of g) {
        if (f.some((x) => overlaps(s, x))) tp++
        else fn++
      }
      for (const s of f) {
        found++
        if (g.some((x) => overlaps(s, x))) right++
        else fp++
      }
    }
    out[t] = {
      tp,
      fp,
      fn,
      precision: found === 0 ? 1 : right / found,
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    }
  }
  return out
}

/** Misses and false alarms with their text, for tuning on the dev split only. */
export function spanErrors(rec: DeidRecord, found: PhiSpanDto[]): string[] {
  const key = (s: PhiSpanDto): string => `${s.type}:${s.start}:${s.end}`
  const g = new Set(rec.gold.map(key))
  const f = new Set(found.map(key))
  const show = (s: PhiSpanDto): string => `${s.type} "${rec.text.slice(s.start, s.end)}"`
  return [
    ...rec.gold.filter((s) => !f.has(key(s))).map((s) => `${rec.id} miss ${show(s)}`),
    ...found.filter((s) => !g.has(key(s))).map((s) => `${rec.id} extra ${show(s)}`),
  ]
}

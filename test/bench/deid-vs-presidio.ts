// De-identification benchmark (issue #15 point 3): our engine vs Microsoft Presidio's pattern
// recognizers (test/bench/deid_presidio.py, no NLP model) on the English part of the fixture, P/R per
// type side by side; then our own P/R for every type, English and Chinese, held-out and dev.
// Run: npm run bench:deid  (needs .venv with presidio-analyzer; see scripts/setup.sh).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { detectPhi } from '../../main/data/deid'
import { PHI_TYPES, type PhiSpanDto, type PhiType } from '../../preload/contract/deid'
import {
  loadDeidFixture,
  scoreSpans,
  scoreSpansOverlap,
  type DeidRecord,
  type TypeScore,
} from './deid-eval'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PYTHON = join(ROOT, '.venv', 'bin', 'python')
const PEER = join(ROOT, 'test', 'bench', 'deid_presidio.py')

/** Presidio entity → our PhiType; entities not listed have no counterpart and are ignored. */
const PRESIDIO_TO_OURS: Record<string, PhiType> = {
  PHONE_NUMBER: 'PHONE',
  EMAIL_ADDRESS: 'EMAIL',
  URL: 'URL',
  IP_ADDRESS: 'IP',
  DATE_TIME: 'DATE',
  US_SSN: 'ID_NUMBER',
  US_HEALTH_INSURANCE_MEMBER_ID: 'INSURANCE',
  US_MBI: 'INSURANCE',
}
/** Kinds Presidio's pattern recognizers cannot find at all (names/addresses need its NER model). */
const PRESIDIO_NONE = new Set<PhiType>(['NAME', 'ADDRESS', 'AGE', 'MRN'])

interface PeerOut {
  version: string
  recognizers: string[]
  results: Record<string, { entity: string; start: number; end: number; score: number }[]>
}

function runPresidio(records: DeidRecord[]): PeerOut {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: create the .venv (scripts/setup.sh)`)
  const r = spawnSync(PYTHON, [PEER], {
    input: JSON.stringify(records.map(({ id, text }) => ({ id, text }))),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.status !== 0) throw new Error(`deid_presidio.py failed:\n${r.stderr}`)
  return JSON.parse(r.stdout) as PeerOut
}

const f3 = (x: number): string => x.toFixed(3)
const cell = (s: TypeScore | undefined): string =>
  s ? `${f3(s.precision)} ${f3(s.recall)}`.padEnd(13) : '—'.padEnd(13)

function sideBySide(title: string, records: DeidRecord[], peer: PeerOut): void {
  const gold = (r: DeidRecord): PhiSpanDto[] => r.gold
  const ours = records.map((r) => ({ gold: gold(r), found: detectPhi(r.text) }))
  const theirs = records.map((r) => ({
    gold: gold(r),
    found: (peer.results[r.id] ?? []).flatMap((p) =>
      PRESIDIO_TO_OURS[p.entity]
        ? [{ type: PRESIDIO_TO_OURS[p.entity], start: p.start, end: p.end }]
        : [],
    ),
  }))
  const oe = scoreSpans(ours)
  const oo = scoreSpansOverlap(ours)
  const pe = scoreSpans(theirs)
  const po = scoreSpansOverlap(theirs)
  console.log(
    `\n${title}  (${records.length} texts; P R = precision recall; exact span / any overlap)`,
  )
  console.log(
    `${'type'.padEnd(10)} ${'gold'.padStart(4)}  ${'ours exact'.padEnd(13)} ${'ours overlap'.padEnd(13)} ${'presidio exact'.padEnd(15)} presidio overlap`,
  )
  for (const t of PHI_TYPES) {
    const n = oe[t].tp + oe[t].fn
    const none = PRESIDIO_NONE.has(t)
    console.log(
      `${t.padEnd(10)} ${String(n).padStart(4)}  ${cell(oe[t])} ${cell(oo[t])} ${cell(none ? undefined : pe[t])}   ${cell(none ? undefined : po[t])}`,
    )
  }
}

function ownTable(records: DeidRecord[]): void {
  console.log('\nOurs on the whole fixture (exact spans): P R per type, by split and language')
  const groups: [string, DeidRecord[]][] = []
  for (const split of ['heldout', 'dev'] as const) {
    for (const lang of ['en', 'zh'] as const) {
      groups.push([`${split}/${lang}`, records.filter((r) => r.split === split && r.lang === lang)])
    }
    groups.push([`${split}/all`, records.filter((r) => r.split === split)])
  }
  const scores = groups.map(([, rs]) =>
    scoreSpans(rs.map((r) => ({ gold: r.gold, found: detectPhi(r.text) }))),
  )
  console.log(`${'type'.padEnd(10)} ${groups.map(([g]) => g.padEnd(17)).join('')}`)
  for (const t of PHI_TYPES) {
    const row = scores.map((s) => {
      const n = s[t].tp + s[t].fn
      return (
        n === 0 && s[t].fp === 0 ? '—' : `${f3(s[t].precision)} ${f3(s[t].recall)} ${n}`
      ).padEnd(17)
    })
    console.log(`${t.padEnd(10)} ${row.join('')}`)
  }
  console.log('(each cell: precision recall gold-spans; — = no gold span and nothing found)')
}

function main(): void {
  const all = loadDeidFixture()
  const english = all.filter((r) => r.lang === 'en')
  const t0 = performance.now()
  const peer = runPresidio(english)
  const peerMs = performance.now() - t0
  for (const r of english) detectPhi(r.text) // warm-up (JIT, regex compilation)
  const t1 = performance.now()
  for (const r of english) detectPhi(r.text)
  const oursMs = performance.now() - t1
  console.log(
    `presidio-analyzer ${peer.version}, pattern recognizers only (no NLP model): ${peer.recognizers.join(', ')}`,
  )
  console.log(
    `English part: ${english.length} texts, ${english.reduce((n, r) => n + r.gold.length, 0)} gold spans; ` +
      `Presidio process ${peerMs.toFixed(0)} ms (Python start + imports included), ours ${oursMs.toFixed(1)} ms (warm)`,
  )
  sideBySide(
    'English, held-out split',
    english.filter((r) => r.split === 'heldout'),
    peer,
  )
  sideBySide('English, all (held-out + dev; ours was tuned on dev)', english, peer)
  ownTable(all)
}

main()

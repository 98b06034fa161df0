// `cts next`: the next texts of the labelling queue in an order, with why each was chosen, as JSON
// and as lines, and `cts review`'s queue; run in this process through main() on a 6-text project.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findLabelIssues } from '../../../main/ml/active/confident-learning'
import { outOfFoldProbabilities } from '../../../main/ml/active/out-of-fold'
import { pickRandom } from '../../../main/ml/active/strategies'
import { boot } from '../../../main/root/boot'
import { openWorkspace } from '../../../main/store/workspace'
import { ctsInProcess } from './cts-in-process'

const TEXTS = [
  'Chest pain for three days.',
  'Shortness of breath at night.',
  '患者胸痛三天，伴出汗。',
  'Routine check-up; no complaints.',
  'Cough with fever.',
  '咳嗽发热一周。',
]

let home: string
let projectId: number

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-next-'))
  const file = join(home, 'notes.csv')
  writeFileSync(file, ['text', ...TEXTS].join('\n') + '\n')
  const backend = await boot({ home, actor: 'tester' })
  try {
    const call = async (name: string, args: unknown) => {
      const e = await backend.dispatch(name, args, { log: () => {} })
      if (!e.ok) throw new Error(e.error.message)
      return e.value as { id: number }
    }
    projectId = (
      await call('projects/create', { name: 'Notes', kind: 'multiclass', labels: ['A', 'B'] })
    ).id
    await call('datasets/import', { projectId, file: { path: file }, mapping: { text: 'text' } })
    await call('labels/set', { textId: 1, labelIds: [1] })
  } finally {
    await backend.shutdown()
  }
}, 60_000)
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => ctsInProcess(home, args)

describe('cts next', () => {
  it('--strategy random --n 3 --json prints the project-seeded queue with reasons', async () => {
    const run = await cts([
      'next',
      '--project',
      'Notes',
      '--strategy',
      'random',
      '--n',
      '3',
      '--json',
    ])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    // The loop is on by default: its audit sample is served only by the mix-in (every 10th).
    const ws = openWorkspace(home)
    const audit = ws.db.prepare('SELECT text_id FROM loop_audit_texts').pluck().all() as number[]
    ws.close()
    const ids = pickRandom(6, 6, projectId)
      .map((i) => i + 1)
      .filter((id) => id !== 1 && !audit.includes(id))
      .slice(0, 3)
    expect(JSON.parse(run.stdout)).toEqual({
      project: 'Notes',
      strategy: 'random',
      texts: ids.map((id) => ({ id, text: TEXTS[id - 1], reason: { order: 'random' } })),
    })
  })

  it('defaults to the sequential order and one text, printed as a line', async () => {
    const run = await cts(['next', '--project', 'Notes'])
    expect(run).toEqual({ code: 0, stdout: `2\tsequential\t${TEXTS[1]}\n`, stderr: '' })
  })

  it('says uncertainty fell back to random while there is no in-loop model', async () => {
    const run = await cts(['next', '--project', 'Notes', '--strategy', 'uncertainty', '--json'])
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout) as { texts: { reason: unknown }[] }
    expect(out.texts.map((t) => t.reason)).toEqual([
      { order: 'random', fallbackFrom: 'uncertainty' },
    ])
  })

  it('exits 2 naming the flag for a bad --strategy or --n', async () => {
    const strategy = await cts(['next', '--project', 'Notes', '--strategy', 'best'])
    expect(strategy.code).toBe(2)
    expect(strategy.stderr).toMatch(
      /--strategy must be sequential, uncertainty, diversity, random or mislabelled/,
    )
    const n = await cts(['next', '--project', 'Notes', '--n', '501'])
    expect(n.code).toBe(2)
    expect(n.stderr).toMatch(/--n must be a whole number from 1 to 500/)
  })
})

describe('cts review', () => {
  it('--json prints the review queue: confident learning on out-of-fold probabilities', async () => {
    const given = [0, 0, 1, 1, 0, 1] // class index of texts 1–6 (label id = index + 1)
    const backend = await boot({ home, actor: 'tester' })
    try {
      for (let id = 2; id <= 6; id++) {
        const e = await backend.dispatch('labels/set', {
          textId: id,
          labelIds: [given[id - 1] + 1],
        })
        expect(e.ok).toBe(true)
      }
    } finally {
      await backend.shutdown()
    }
    const run = await cts(['review', '--project', 'Notes', '--k', '2', '--json'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    const oof = await outOfFoldProbabilities(TEXTS, given, 2, { k: 2 })
    const flagged = findLabelIssues(given, oof.probs)
    const out = JSON.parse(run.stdout) as {
      project: string
      labelled: number
      folds: number
      items: { textId: number; rank: number }[]
    }
    expect([out.project, out.labelled, out.folds]).toEqual(['Notes', 6, 2])
    expect(out.items.map((i) => [i.rank, i.textId])).toEqual(flagged.map((i, r) => [r + 1, i + 1]))
  }, 60_000)
})

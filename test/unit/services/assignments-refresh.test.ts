// refreshAssignments writes projectAssignment's rows, and writes again when another lead's change
// committed between its reads and its write, so the last write matches what is current.
import { describe, expect, it } from 'vitest'
import {
  assignmentRows,
  projectAssignment,
  type AssignmentSettings,
} from '../../../main/services/annotation-assignment'
import { refreshAssignments } from '../../../main/services/annotators-service'
import type { AnnotationSettingsDto } from '../../../preload/contract/annotators'
import type { AnnotatorsRepository, AssignmentRow } from '../../../main/store/annotators-repository'

const texts = [
  { id: 1, contentHash: 'a1' },
  { id: 2, contentHash: 'b2' },
  { id: 3, contentHash: 'c3' },
  { id: 4, contentHash: 'd4' },
]
const base = { tiePolicy: 'majority', tieAnnotator: null } as unknown as AnnotationSettingsDto
const settings = (s: AssignmentSettings): AnnotationSettingsDto => ({ ...base, ...s })
const S1 = settings({ team: ['王医生', 'dr_li'], overlap: 0.5, overlapAnnotators: 2, seed: 1 })
const S2 = settings({ team: ['王医生', 'dr_li'], overlap: 0.5, overlapAnnotators: 2, seed: 2 })

/** A repository whose reads answer from `states` in turn (the last one repeats). */
function fakeRepos(states: { settings: AnnotationSettingsDto; texts: typeof texts }[]) {
  const writes: AssignmentRow[][] = []
  let reads = 0
  const now = () => states[Math.min(reads, states.length - 1)]
  const annotators = {
    settings: async () => now().settings,
    textHashes: async () => {
      const t = now().texts
      reads += 1
      return t
    },
    replaceAssignments: async (_p: number, rows: readonly AssignmentRow[]) => {
      writes.push([...rows])
    },
  } as unknown as AnnotatorsRepository
  return { repos: { annotators }, writes, textReads: () => reads }
}

describe('refreshAssignments', () => {
  it('writes projectAssignment’s rows once when nothing changes meanwhile', async () => {
    const { repos, writes } = fakeRepos([{ settings: S1, texts }])
    await refreshAssignments(repos, 7)
    expect(writes).toEqual([assignmentRows(projectAssignment(texts, S1))])
    expect(writes[0].length).toBeGreaterThanOrEqual(texts.length)
  })

  it('writes again from the newer state when another change committed in between', async () => {
    const more = [...texts, { id: 9, contentHash: 'e5' }]
    const { repos, writes } = fakeRepos([
      { settings: S1, texts },
      { settings: S2, texts: more },
    ])
    await refreshAssignments(repos, 7)
    expect(writes).toEqual([
      assignmentRows(projectAssignment(texts, S1)),
      assignmentRows(projectAssignment(more, S2)),
    ])
  })

  it('without a team writes no rows and never reads the texts', async () => {
    const { repos, writes, textReads } = fakeRepos([
      { settings: settings({ team: [], overlap: 0, overlapAnnotators: 2, seed: 0 }), texts },
    ])
    await refreshAssignments(repos, 7)
    expect(writes).toEqual([[]])
    expect(textReads()).toBe(0)
  })
})

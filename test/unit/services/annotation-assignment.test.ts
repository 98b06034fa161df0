// The seeded assignment of texts to team members (issue #12 point 2): deterministic, the overlap
// share close to the setting, k distinct annotators per overlap text, nothing without a team.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  assignment,
  inShare,
  projectAssignment,
  type AssignmentSettings,
} from '../../../main/services/annotation-assignment'
import { contentHash } from '../../../main/store/content-hash'

const settings = (over: Partial<AssignmentSettings> = {}): AssignmentSettings => ({
  team: ['Dr Li', '王医生', 'Ana'],
  overlap: 0.2,
  overlapAnnotators: 2,
  seed: 1,
  ...over,
})

const hashes = (n: number) => Array.from({ length: n }, (_, i) => contentHash(`病历 note ${i}`))

describe('assignment', () => {
  it('is the same for the same hash and settings, and follows the documented formula', () => {
    const h = contentHash('患者咳嗽三天 cough for three days')
    const s = settings({ overlap: 1, overlapAnnotators: 3 })
    expect(assignment(h, s)).toEqual(assignment(h, s))
    // Ranked by sha256(`seed:hash:name`) ascending.
    const expected = [...s.team].sort((a, b) => {
      const ha = createHash('sha256').update(`1:${h}:${a}`).digest('hex')
      const hb = createHash('sha256').update(`1:${h}:${b}`).digest('hex')
      return ha < hb ? -1 : 1
    })
    expect(assignment(h, s)).toEqual({ overlap: true, annotators: expected })
    // overlap iff first 8 hex / 2^32 < overlap.
    const u =
      parseInt(createHash('sha256').update(`1:${h}`).digest('hex').slice(0, 8), 16) / 2 ** 32
    expect(assignment(h, settings({ overlap: u })).overlap).toBe(false)
    expect(assignment(h, settings({ overlap: u + 1e-9 })).overlap).toBe(true)
  })

  it('gives each text one annotator at overlap 0 and changes with the seed', () => {
    const all = hashes(200)
    const one = all.map((h) => assignment(h, settings({ overlap: 0 })))
    expect(one.every((a) => !a.overlap && a.annotators.length === 1)).toBe(true)
    const other = all.map((h) => assignment(h, settings({ overlap: 0, seed: 2 })))
    expect(
      other.filter((a, i) => a.annotators[0] !== one[i]!.annotators[0]).length,
    ).toBeGreaterThan(50)
  })

  it.each([0.1, 0.2, 0.5])('puts %s of 2,000 texts in the overlap, ±3 points', (overlap) => {
    const share =
      hashes(2000).filter((h) => assignment(h, settings({ overlap })).overlap).length / 2000
    expect(Math.abs(share - overlap)).toBeLessThanOrEqual(0.03)
  })

  it('gives every overlap text min(k, team) distinct annotators', () => {
    for (const [team, k, want] of [
      [['Dr Li', '王医生', 'Ana'], 2, 2],
      [['Dr Li', '王医生', 'Ana'], 3, 3],
      [['Dr Li', '王医生'], 5, 2],
      [['Dr Li', 'Dr Li', '王医生'], 3, 2],
    ] as const) {
      for (const h of hashes(300)) {
        const a = assignment(h, settings({ team: [...team], overlap: 0.5, overlapAnnotators: k }))
        const n = a.overlap ? want : 1
        expect(a.annotators).toHaveLength(n)
        expect(new Set(a.annotators).size).toBe(n)
        for (const name of a.annotators) expect(team).toContain(name)
      }
    }
  })

  it('spreads the non-overlap texts over the whole team', () => {
    const counts = new Map<string, number>()
    for (const h of hashes(900)) {
      const a = assignment(h, settings({ overlap: 0 }))
      counts.set(a.annotators[0]!, (counts.get(a.annotators[0]!) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual(['Ana', 'Dr Li', '王医生'])
    for (const n of counts.values()) expect(Math.abs(n - 300)).toBeLessThan(60)
  })

  it('assigns nothing without a team: every text is in everyone’s share', () => {
    const s = settings({ team: [], overlap: 0.5 })
    const a = assignment(hashes(1)[0]!, s)
    expect(a).toEqual({ overlap: false, annotators: [] })
    expect(inShare(a, 'anyone', s)).toBe(true)
  })

  it('maps a whole project by text id, and inShare follows the assignment', () => {
    const s = settings({ overlap: 0.3 })
    const texts = hashes(50).map((contentHash, i) => ({ id: i + 1, contentHash }))
    const all = projectAssignment(texts, s)
    expect(all.size).toBe(50)
    for (const t of texts) {
      const a = all.get(t.id)!
      expect(a).toEqual(assignment(t.contentHash, s))
      for (const name of s.team) expect(inShare(a, name, s)).toBe(a.annotators.includes(name))
      expect(inShare(a, 'not in the team', s)).toBe(false)
    }
  })
})

// The annotators repository on both backends with the same assertions: profiles and the current
// annotator, settings (re-resolving gold labels), rows, adjudication and its revert, resolution.
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_ANNOTATION_SETTINGS } from '../../../preload/contract/annotators'
import {
  auditTrail,
  freshBackendEachTest,
  LABELS,
  openBackend,
  seed,
  stopOwnServer,
  type BackendName,
  type R2Backend,
} from './r2-backends'

afterAll(stopOwnServer)

const { yes, no, unsure } = LABELS

describe.each<BackendName>(['sqlite', 'postgres'])('annotators repository (%s)', (backend) => {
  let b: R2Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
    seed,
  )

  const set = (textId: number, labelIds: number[], annotator: string) =>
    b.annotations.set({ projectId: 1, textId, labelIds, annotator })

  it('creates profiles, switches the current one and lists names known from labels', async () => {
    expect(await b.annotators.current()).toBeNull()
    expect(await b.annotators.profiles()).toEqual([])
    await b.annotators.use('Zoë', 'lead')
    await b.annotators.use('Ärztin B', 'lead')
    await b.annotators.use('Zoë', 'lead')
    expect(await b.annotators.current()).toBe('Zoë')
    await set(11, [yes], 'ana')
    await set(12, [no], 'ana')
    await set(13, [yes], 'Zoë')
    await set(13, [], 'Zoë') // a cleared row is not counted
    // The reference annotator '' (an import) is never a profile.
    await b.exec(
      "INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (14, 1, '', '[1]', 'import', 'x')",
    )
    const profiles = await b.annotators.profiles()
    // Byte order, as SQLite sorts: 'Zoë' < 'ana' < 'Ärztin B'.
    expect(profiles.map((p) => [p.name, p.createdAt === null, p.annotations])).toEqual([
      ['Zoë', false, 0],
      ['ana', true, 2],
      ['Ärztin B', false, 0],
    ])
    const audits = await b.all<{ details: string }>(
      "SELECT details FROM audit_log WHERE action = 'annotator.use' ORDER BY id",
    )
    expect(audits.map((a) => JSON.parse(a.details))).toEqual([
      { name: 'Zoë', previous: null, created: true },
      { name: 'Ärztin B', previous: 'Zoë', created: true },
      { name: 'Zoë', previous: 'Ärztin B', created: false },
    ])
  })

  it('stores settings over the defaults and re-resolves gold labels with the tie policy', async () => {
    expect(await b.annotators.settings(1)).toEqual(DEFAULT_ANNOTATION_SETTINGS)
    await set(11, [yes], 'ana')
    await set(11, [no], 'ben')
    await set(12, [unsure], 'ben')
    expect((await b.annotators.resolution(1)).get(11)).toEqual({ labelIds: [], how: 'excluded' })
    const next = {
      ...DEFAULT_ANNOTATION_SETTINGS,
      team: ['ana', 'ben'],
      tiePolicy: 'annotator' as const,
      tieAnnotator: 'ben',
    }
    await b.annotators.setSettings(1, next, 'lead')
    expect(await b.annotators.settings(1)).toEqual(next)
    expect(await b.annotators.settings(2)).toEqual(DEFAULT_ANNOTATION_SETTINGS)
    expect(await b.annotators.goldLabels(1)).toEqual(
      new Map([
        [11, [no]],
        [12, [unsure]],
      ]),
    )
    expect(await b.annotators.resolution(1)).toEqual(
      new Map([
        [11, { labelIds: [no], how: 'tie-annotator' }],
        [12, { labelIds: [unsure], how: 'single' }],
      ]),
    )
    const [audit] = await b.all<{ actor: string; details: string }>(
      "SELECT actor, details FROM audit_log WHERE action = 'annotation.settings'",
    )
    expect(audit.actor).toBe('lead')
    expect(JSON.parse(audit.details)).toEqual({ old: DEFAULT_ANNOTATION_SETTINGS, new: next })
  })

  it('lists named rows in text then annotator order, never the reference or a cleared row', async () => {
    await set(12, [no], 'ben')
    await set(11, [yes], 'ben')
    await set(11, [unsure], 'Ana')
    await set(13, [yes], 'ana')
    await set(13, [], 'ana')
    await b.exec(
      "INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (14, 1, '', '[2]', 'import', 'x')",
    )
    const rows = await b.annotators.rows(1)
    expect(rows.map((r) => [r.textId, r.annotator, r.labelIds])).toEqual([
      [11, 'Ana', [unsure]],
      [11, 'ben', [yes]],
      [12, 'ben', [no]],
    ])
    expect(rows.every((r) => /^\d{4}-\d\d-\d\dT/.test(r.at))).toBe(true)
    expect(await b.annotators.ownLabels(1, 'ana', [13, 14])).toEqual(new Map([[13, []]]))
    expect(await b.annotators.ownLabels(1, 'ana', [])).toEqual(new Map())
    expect(await b.annotators.ownLabels(2, 'ben', [11])).toEqual(new Map())
  })

  it('adjudicates a text, replaces the decision and reverts it', async () => {
    await set(11, [yes], 'ana')
    await set(11, [no], 'ben')
    expect(
      await b.annotators.adjudicate({
        projectId: 1,
        textId: 11,
        labelIds: [unsure, unsure],
        adjudicator: 'lead',
        note: 'unklar',
      }),
    ).toBe(true)
    expect(
      await b.annotators.adjudicate({
        projectId: 2,
        textId: 11,
        labelIds: [yes],
        adjudicator: 'lead',
        note: null,
      }),
    ).toBe(false)
    expect(await b.annotators.goldLabels(1)).toEqual(new Map([[11, [unsure]]]))
    await b.annotators.adjudicate({
      projectId: 1,
      textId: 11,
      labelIds: [no],
      adjudicator: 'chef',
      note: null,
    })
    const decided = await b.annotators.adjudications(1)
    expect([...decided.keys()]).toEqual([11])
    expect(decided.get(11)).toMatchObject({ labelIds: [no], adjudicator: 'chef', note: null })
    expect(await b.annotators.resolution(1)).toEqual(
      new Map([[11, { labelIds: [no], how: 'adjudicated' }]]),
    )
    expect(await b.annotators.resolutionCounts(1)).toEqual({
      adjudicated: 1,
      agreed: 0,
      majority: 0,
      single: 0,
      'tie-annotator': 0,
      excluded: 0,
      reference: 0,
      none: 3,
    })

    expect(await b.annotators.revertAdjudication({ projectId: 2, textId: 11, actor: 'lead' })).toBe(
      false,
    )
    expect(await b.annotators.revertAdjudication({ projectId: 1, textId: 11, actor: 'lead' })).toBe(
      true,
    )
    expect(await b.annotators.revertAdjudication({ projectId: 1, textId: 11, actor: 'lead' })).toBe(
      false,
    )
    expect(await b.annotators.adjudications(1)).toEqual(new Map())
    expect(await b.annotators.goldLabels(1)).toEqual(new Map())
    expect(await b.annotators.resolutionCounts(1)).toMatchObject({
      adjudicated: 0,
      excluded: 1,
      none: 3,
    })

    const adjudications = await b.all<{ actor: string; action: string; details: string }>(
      "SELECT actor, action, details FROM audit_log WHERE action LIKE 'adjudication.%' ORDER BY id",
    )
    expect(adjudications.map((a) => `${a.actor}:${a.action}`)).toEqual([
      'lead:adjudication.set',
      'chef:adjudication.set',
      'lead:adjudication.revert',
    ])
    const second = JSON.parse(adjudications[1].details)
    expect(second).toMatchObject({
      textId: 11,
      labelIds: [no],
      note: null,
      previous: { labelIds: [unsure], adjudicator: 'lead', note: 'unklar' },
    })
    expect(await auditTrail(b)).toHaveLength(5)
  })

  it('counts every text by how its gold label came about and hands out content hashes', async () => {
    await set(11, [yes], 'ana')
    await set(11, [yes], 'ben')
    await set(12, [no], 'ana')
    await b.exec(
      "INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (13, 1, '', '[3]', 'import', 'x')",
    )
    expect(await b.annotators.resolutionCounts(1)).toEqual({
      adjudicated: 0,
      agreed: 1,
      majority: 0,
      single: 1,
      'tie-annotator': 0,
      excluded: 0,
      reference: 1,
      none: 1,
    })
    expect(await b.annotators.resolutionCounts(99)).toMatchObject({ none: 0 })
    expect(await b.annotators.resolution(99)).toEqual(new Map())
    expect(await b.annotators.textHashes(1)).toEqual([
      { id: 11, contentHash: 'hash-11' },
      { id: 12, contentHash: 'hash-12' },
      { id: 13, contentHash: 'hash-13' },
      { id: 14, contentHash: 'hash-14' },
    ])
    expect(await b.annotators.textHashes(1, [14, 21, 12])).toEqual([
      { id: 12, contentHash: 'hash-12' },
      { id: 14, contentHash: 'hash-14' },
    ])
    expect(await b.annotators.textHashes(1, [])).toEqual([])
  })
})

// The renderer's annotator logic without a browser: the settings form's translation to the
// contract, the annotators store (first start, switching), and the labelling session naming the
// current annotator in every read and write. window.cts is a recording fake.
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { AnnotatorsDto, ProjectDto, TextRowDto } from '../../../preload/contract'
import {
  donePercent,
  formFromSettings,
  parseTeam,
  settingsPatch,
  type SettingsForm,
} from '../../../renderer/components/annotators/settings-form'
import { useAnnotatorsStore } from '../../../renderer/stores/annotators-store'
import { useLabellingStore } from '../../../renderer/stores/labelling-store'

type Call = { call: string; args: Record<string, unknown> }

const project: ProjectDto = {
  id: 7,
  name: '出院小结',
  kind: 'binary',
  labels: [
    { id: 1, name: '健康', position: 1 },
    { id: 2, name: '疾病', position: 2 },
  ],
  textCount: 2,
  labelledCount: 0,
  createdAt: '2026-12-06T10:00:00.000Z',
} as unknown as ProjectDto

function row(id: number, labelIds: number[], blinded = false): TextRowDto {
  return {
    id,
    text: id === 1 ? '患者咳嗽三天，无发热。' : 'Chest pain on exertion.',
    sourceRow: id,
    externalId: null,
    groupId: null,
    labelIds,
    split: null,
    blinded,
    own: true,
  } as unknown as TextRowDto
}

/** A fake window.cts: records every call; annotators/* keep a tiny profile state. */
function installFake(state: AnnotatorsDto): Call[] {
  const calls: Call[] = []
  const record =
    (call: string, answer: (args: Record<string, unknown>) => unknown) =>
    async (args: Record<string, unknown>) => {
      calls.push({ call, args })
      return answer(args)
    }
  const fake = {
    annotators: {
      list: record('annotators/list', () => structuredClone(state)),
      use: record('annotators/use', (args) => {
        const name = args.name as string
        state.current = name
        if (!state.profiles.some((p) => p.name === name))
          state.profiles.push({ name, createdAt: '2026-12-06T10:00:00.000Z', annotations: 0 })
        return structuredClone(state)
      }),
    },
    texts: {
      next: record('texts/next', (args) =>
        args.afterTextId === undefined
          ? { textId: 1, position: 1, reason: null }
          : { textId: null, position: null, reason: null },
      ),
      get: record('texts/get', (args) => row(args.textId as number, [], args.textId === 1)),
    },
    labels: {
      stats: record('labels/stats', () => ({ total: 2, labelled: 0, skipped: 0, perLabel: [] })),
      set: record('labels/set', (args) => ({
        textId: args.textId,
        labelIds: args.labelIds,
        revision: 1,
      })),
      undo: record('labels/undo', () => ({ textId: 1, labelIds: [], revision: 2 })),
      redo: record('labels/redo', () => null),
    },
  }
  ;(globalThis as unknown as { window: unknown }).window = { cts: fake }
  return calls
}

const baseForm: SettingsForm = {
  team: 'Dr Li, Dr Wang',
  overlapPercent: 20,
  overlapAnnotators: 2,
  blind: true,
  tiePolicy: 'exclude',
  tieAnnotator: '',
}

describe('annotation settings form', () => {
  it('reads team names separated by English or Chinese commas, dropping blanks and repeats', () => {
    expect(parseTeam(' Dr Li ,Dr  Wang，张医生、 ,Dr Li; 王护士 ')).toEqual([
      'Dr Li',
      'Dr Wang',
      '张医生',
      '王护士',
    ])
    expect(parseTeam('  ')).toEqual([])
  })

  it('turns percent into the contract share and back without float noise', () => {
    expect(settingsPatch({ ...baseForm, overlapPercent: '12.5' })).toEqual({
      patch: {
        team: ['Dr Li', 'Dr Wang'],
        overlap: 0.125,
        overlapAnnotators: 2,
        blind: true,
        tiePolicy: 'exclude',
        tieAnnotator: null,
      },
      problem: null,
    })
    const form = formFromSettings({
      team: ['Dr Li', '张医生'],
      overlap: 0.2,
      overlapAnnotators: 2,
      seed: 1,
      blind: false,
      tiePolicy: 'annotator',
      tieAnnotator: '张医生',
    })
    expect(form).toEqual({
      team: 'Dr Li, 张医生',
      overlapPercent: 20,
      overlapAnnotators: 2,
      blind: false,
      tiePolicy: 'annotator',
      tieAnnotator: '张医生',
    })
  })

  it('refuses an overlap outside 0–100 %, too many annotators per text, and a missing tie-breaker', () => {
    expect(settingsPatch({ ...baseForm, overlapPercent: 101 }).problem).toBe('overlapInvalid')
    expect(settingsPatch({ ...baseForm, overlapPercent: -1 }).problem).toBe('overlapInvalid')
    expect(settingsPatch({ ...baseForm, overlapPercent: '' }).problem).toBe('overlapInvalid')
    expect(settingsPatch({ ...baseForm, overlapAnnotators: 3 }).problem).toBe(
      'overlapAnnotatorsInvalid',
    )
    expect(settingsPatch({ ...baseForm, overlapAnnotators: 1 }).problem).toBe(
      'overlapAnnotatorsInvalid',
    )
    expect(settingsPatch({ ...baseForm, team: 'Dr Li' }).problem).toBe('overlapAnnotatorsInvalid')
    expect(settingsPatch({ ...baseForm, team: '', overlapAnnotators: 3 }).problem).toBeNull()
    expect(settingsPatch({ ...baseForm, tiePolicy: 'annotator' }).problem).toBe(
      'tieAnnotatorMissing',
    )
    expect(
      settingsPatch({ ...baseForm, tiePolicy: 'annotator', tieAnnotator: ' Dr Wang ' }).patch
        ?.tieAnnotator,
    ).toBe('Dr Wang')
  })

  it('sizes a progress bar from done and assigned', () => {
    expect(donePercent(1, 3)).toBe(33)
    expect(donePercent(5, 5)).toBe(100)
    expect(donePercent(0, 0)).toBe(0)
  })
})

describe('annotators store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('opens the chooser at first start and closes it only once a profile is chosen', async () => {
    const calls = installFake({ current: null, osUser: 'clinician', profiles: [] })
    const store = useAnnotatorsStore()
    await store.load()
    expect(store.chooserOpen).toBe(true)
    expect(store.osUser).toBe('clinician')
    store.closeChooser()
    expect(store.chooserOpen).toBe(true)
    await store.use('  李医生 ')
    expect(calls.at(-1)).toEqual({ call: 'annotators/use', args: { name: '李医生' } })
    expect(store.current).toBe('李医生')
    expect(store.chooserOpen).toBe(false)
  })

  it('counts a switch (so views reload) but not the first read', async () => {
    installFake({
      current: 'Dr Li',
      osUser: 'clinician',
      profiles: [
        { name: 'Dr Wang', createdAt: null, annotations: 3 },
        { name: 'Dr Li', createdAt: '2026-12-06T10:00:00.000Z', annotations: 1 },
      ],
    })
    const store = useAnnotatorsStore()
    await store.load()
    expect(store.chooserOpen).toBe(false)
    expect(store.generation).toBe(0)
    expect(store.names).toEqual(['Dr Li', 'Dr Wang'])
    await store.use('Dr Li')
    expect(store.generation).toBe(0)
    await store.use('Dr Wang')
    expect(store.generation).toBe(1)
    expect(store.annotator).toBe('Dr Wang')
  })
})

describe('labelling session', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('names the current annotator in texts/next, texts/get, labels/set and labels/undo', async () => {
    const calls = installFake({ current: 'Dr Li', osUser: 'clinician', profiles: [] })
    await useAnnotatorsStore().load()
    const session = useLabellingStore()
    await session.start(project, null, 'failed')
    expect(session.text?.blinded).toBe(true)
    await session.choose(2)
    await session.undo()
    const byAnnotator = calls
      .filter((c) => ['texts/next', 'texts/get', 'labels/set', 'labels/undo'].includes(c.call))
      .map((c) => [c.call, c.args.annotator])
    expect(byAnnotator).toEqual([
      ['texts/next', 'Dr Li'],
      ['texts/get', 'Dr Li'],
      ['labels/set', 'Dr Li'],
      ['texts/next', 'Dr Li'],
      ['labels/undo', 'Dr Li'],
      ['texts/get', 'Dr Li'],
    ])
    expect(calls.find((c) => c.call === 'labels/set')?.args).toEqual({
      textId: 1,
      labelIds: [2],
      annotator: 'Dr Li',
    })
  })
})

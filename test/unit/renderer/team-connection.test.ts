// The team workspace's connection in the renderer (issue #17 point 5) without a browser: the
// workspace store follows main's 'workspace/connection' events (and re-reads the status while
// reconnecting), and the labelling session never calls a label "saved" that main did not commit.
// window.cts is a fake whose labels/set fails with 'team-unreachable' while the "server" is down.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import {
  CtsError,
  type ProjectDto,
  type TeamConnectionDto,
  type TextRowDto,
  type WorkspaceStatusDto,
} from '../../../preload/contract'
import {
  clockTime,
  isTeamUnreachable,
  unreachableMessageKey,
} from '../../../renderer/components/team/team-connection'
import { enTeam } from '../../../renderer/i18n/en-team'
import { zhCNTeam } from '../../../renderer/i18n/zh-cn-team'
import { useLabellingStore } from '../../../renderer/stores/labelling-store'
import { RECONNECTING_POLL_MS, useWorkspaceStore } from '../../../renderer/stores/workspace-store'

const project = {
  id: 3,
  name: '出院小结 Discharge notes',
  kind: 'binary',
  labels: [
    { id: 11, name: '健康', position: 1 },
    { id: 12, name: '疾病', position: 2 },
  ],
  textCount: 2,
  labelledCount: 0,
  createdAt: '2026-12-07T01:00:00.000Z',
} as unknown as ProjectDto

const TEXTS: Record<number, string> = { 1: '患者咳嗽三天，无发热。', 2: 'Chest pain on exertion.' }
const DOWN =
  'The team workspace server 127.0.0.1:5433 cannot be reached: the connection was refused.'

interface Fake {
  calls: string[]
  /** Which calls fail with 'team-unreachable' (the "server" is down for them). */
  down: Set<string>
  /** What 'workspace/status' answers about the connection. */
  connection: TeamConnectionDto | undefined
  /** Pushes a 'workspace/connection' event as main would. */
  push(c: TeamConnectionDto): void
  stored: Map<number, number[]>
}

function installFake(): Fake {
  const listeners: ((c: TeamConnectionDto) => void)[] = []
  const fake: Fake = {
    calls: [],
    down: new Set(),
    connection: { state: 'connected', since: '2026-12-07T01:00:00.000Z' },
    push: (c) => listeners.forEach((l) => l(c)),
    stored: new Map(),
  }
  const call =
    (name: string, answer: (args: Record<string, unknown>) => unknown) =>
    async (args: Record<string, unknown>) => {
      fake.calls.push(name)
      if (fake.down.has(name)) throw new CtsError('team-unreachable', DOWN)
      return answer(args)
    }
  const row = (id: number): TextRowDto =>
    ({
      id,
      text: TEXTS[id],
      sourceRow: id,
      externalId: null,
      groupId: null,
      labelIds: fake.stored.get(id) ?? [],
      split: null,
      blinded: false,
      own: true,
    }) as unknown as TextRowDto
  const cts = {
    on: (event: string, listener: (c: TeamConnectionDto) => void) => {
      expect(event).toBe('workspace/connection')
      listeners.push(listener)
      return () => undefined
    },
    workspace: {
      status: call('workspace/status', (): WorkspaceStatusDto => ({
        encrypted: false,
        locked: false,
        team: {
          host: '127.0.0.1',
          port: 5433,
          database: 'ward7',
          user: 'dr_li',
          ...(fake.connection ? { connection: fake.connection } : {}),
        },
      })),
    },
    texts: {
      next: call('texts/next', (args) =>
        args.afterTextId === undefined || args.afterTextId === 1
          ? { textId: args.afterTextId === 1 ? 2 : 1, position: 1, reason: null }
          : { textId: null, position: null, reason: null },
      ),
      get: call('texts/get', (args) => row(args.textId as number)),
    },
    labels: {
      stats: call('labels/stats', () => ({ total: 2, labelled: fake.stored.size, skipped: 0 })),
      set: call('labels/set', (args) => {
        fake.stored.set(args.textId as number, args.labelIds as number[])
        return { textId: args.textId, labelIds: args.labelIds, revision: 1 }
      }),
      undo: call('labels/undo', () => null),
    },
  }
  ;(globalThis as unknown as { window: unknown }).window = { cts }
  return fake
}

let fake: Fake

// Fake timers throughout: a status re-read scheduled by one test must never reach the next one.
beforeEach(() => {
  vi.useFakeTimers()
  setActivePinia(createPinia())
  fake = installFake()
})
afterEach(() => {
  vi.clearAllTimers()
  vi.useRealTimers()
})

async function openSession() {
  const workspace = useWorkspaceStore()
  await workspace.load()
  const session = useLabellingStore()
  await session.start(project, null, 'Something went wrong.')
  expect(session.text?.id).toBe(1)
  return { workspace, session }
}

describe('a label while the team server cannot be reached', () => {
  it('is "not saved", keeps the text open with the chosen label, and marks the top bar reconnecting', async () => {
    const { workspace, session } = await openSession()
    fake.down.add('labels/set')
    fake.calls.length = 0
    await session.choose(2)

    expect(session.saveState).toBe('error')
    expect(session.unreachable).toBe('write')
    expect(session.error).toBe(DOWN)
    expect(session.text?.id).toBe(1)
    expect(session.text?.labelIds).toEqual([])
    expect(session.selection).toEqual([12])
    // Nothing after the refused write: no next text, no counts.
    expect(fake.calls).toEqual(['labels/set'])
    expect(fake.stored.size).toBe(0)
    expect(workspace.connection?.state).toBe('reconnecting')
    expect(unreachableMessageKey('write', workspace.connection)).toBe('team.notSavedReconnecting')
  })

  it('drops the keys pressed behind the refused one instead of saving them later', async () => {
    const { session } = await openSession()
    fake.down.add('labels/set')
    const first = session.choose(1)
    const second = session.accept()
    await Promise.all([first, second])
    expect(fake.calls.filter((c) => c === 'labels/set')).toHaveLength(1)
    expect(session.text?.id).toBe(1)
    expect(fake.stored.size).toBe(0)
  })

  it('says the server is back once main reports it, and the key again saves and moves on', async () => {
    const { workspace, session } = await openSession()
    fake.down.add('labels/set')
    await session.choose(2)
    fake.push({
      state: 'reconnecting',
      since: '2026-12-07T01:02:00.000Z',
      reason: 'the connection was refused',
    })
    expect(workspace.connection?.reason).toBe('the connection was refused')

    fake.down.clear()
    fake.push({ state: 'connected', since: '2026-12-07T01:03:00.000Z' })
    expect(unreachableMessageKey('write', workspace.connection)).toBe('team.notSavedBack')
    expect(session.saveState).toBe('error')

    await session.choose(2)
    expect(session.saveState).toBe('saved')
    expect(session.unreachable).toBeNull()
    expect(session.error).toBe('')
    expect(fake.stored.get(1)).toEqual([12])
    expect(session.text?.id).toBe(2)
  })

  it('undo refused by the server is a write that was not saved', async () => {
    const { session } = await openSession()
    fake.down.add('labels/undo')
    await session.undo()
    expect(session.unreachable).toBe('write')
    expect(session.saveState).toBe('error')
    expect(session.note).toBe('')
  })

  it('keeps "saved" for a committed label when only the next text could not be read', async () => {
    const { workspace, session } = await openSession()
    fake.down.add('labels/stats')
    await session.choose(1)
    expect(fake.stored.get(1)).toEqual([11])
    expect(session.saveState).toBe('saved')
    expect(session.unreachable).toBe('read')
    expect(session.text?.labelIds).toEqual([11])
    expect(workspace.connection?.state).toBe('reconnecting')
    expect(unreachableMessageKey('read', workspace.connection)).toBe('team.unreachableReconnecting')
  })

  it('leaves other failures as they were: "error" with main\'s message, not "reconnecting"', async () => {
    const { workspace, session } = await openSession()
    ;(window.cts.labels as unknown as { set: () => Promise<never> }).set = async () => {
      throw new CtsError('not-found', 'Text 1 does not exist any more.')
    }
    await session.choose(1)
    expect(session.saveState).toBe('error')
    expect(session.unreachable).toBeNull()
    expect(session.error).toBe('Text 1 does not exist any more.')
    expect(workspace.connection?.state).toBe('connected')
  })
})

describe('the workspace store follows the connection', () => {
  it('reads the server and connection from the status, never keeping the state inside `team`', async () => {
    fake.connection = {
      state: 'reconnecting',
      since: '2026-12-07T01:02:00.000Z',
      reason: 'the server closed the connection',
    }
    const workspace = useWorkspaceStore()
    await workspace.load()
    expect(workspace.team).toEqual({
      host: '127.0.0.1',
      port: 5433,
      database: 'ward7',
      user: 'dr_li',
    })
    expect(workspace.connection).toEqual(fake.connection)
  })

  it('re-reads the status every 2 s while reconnecting, and stops once connected', async () => {
    fake.connection = { state: 'reconnecting', since: '2026-12-07T01:02:00.000Z' }
    const workspace = useWorkspaceStore()
    await workspace.load()
    fake.calls.length = 0

    await vi.advanceTimersByTimeAsync(RECONNECTING_POLL_MS)
    expect(fake.calls).toEqual(['workspace/status'])
    expect(workspace.connection?.state).toBe('reconnecting')

    fake.connection = { state: 'connected', since: '2026-12-07T01:03:00.000Z' }
    await vi.advanceTimersByTimeAsync(RECONNECTING_POLL_MS)
    expect(workspace.connection).toEqual(fake.connection)
    await vi.advanceTimersByTimeAsync(RECONNECTING_POLL_MS * 5)
    expect(fake.calls).toEqual(['workspace/status', 'workspace/status'])
  })

  it('does not mark a local workspace reconnecting', async () => {
    ;(window.cts.workspace as unknown as { status: () => Promise<WorkspaceStatusDto> }).status =
      async () => ({ encrypted: false, locked: false })
    const workspace = useWorkspaceStore()
    await workspace.load()
    workspace.markUnreachable()
    expect(workspace.team).toBeUndefined()
    expect(workspace.connection).toBeUndefined()
  })
})

describe('what the clinician reads', () => {
  const i18n = createI18n({
    legacy: false,
    locale: 'en',
    messages: { en: enTeam, 'zh-CN': zhCNTeam },
  })
  const t = i18n.global.t

  it('recognises only the team-unreachable code', () => {
    expect(isTeamUnreachable(new CtsError('team-unreachable', DOWN))).toBe(true)
    expect(isTeamUnreachable({ code: 'team-auth', message: 'x' })).toBe(false)
    expect(isTeamUnreachable(new Error('team-unreachable'))).toBe(false)
    expect(isTeamUnreachable(undefined)).toBe(false)
  })

  it('says "not saved … reconnecting" until main says connected, in English and 简体中文', () => {
    const back: TeamConnectionDto = { state: 'connected', since: '2026-12-07T01:03:00.000Z' }
    const away: TeamConnectionDto = { state: 'reconnecting', since: '2026-12-07T01:02:00.000Z' }
    i18n.global.locale.value = 'en'
    expect(t(unreachableMessageKey('write', undefined))).toBe(
      'Not saved: the team workspace server cannot be reached. Reconnecting…',
    )
    expect(t(unreachableMessageKey('write', away))).toBe(
      'Not saved: the team workspace server cannot be reached. Reconnecting…',
    )
    expect(t(unreachableMessageKey('write', back))).toBe(
      'Not saved: the team workspace server could not be reached. The connection is back: press the key again to save.',
    )
    expect(t('team.reconnecting')).toBe('Reconnecting to the team workspace…')
    i18n.global.locale.value = 'zh-CN'
    expect(t(unreachableMessageKey('write', away))).toBe(
      '未保存：无法连接团队工作区服务器。正在重新连接…',
    )
    expect(t(unreachableMessageKey('read', back))).toBe('与团队工作区服务器的连接已恢复，请重试。')
    expect(t('team.reconnecting')).toBe('正在重新连接团队工作区…')
  })

  it('puts the reason and the time it started into the badge tooltip', () => {
    i18n.global.locale.value = 'en'
    const since = clockTime('2026-12-07T01:02:03.000Z', 'en-GB')
    expect(since).toMatch(/^\d\d:\d\d:03$/)
    expect(
      t('team.reconnectingTitle', {
        where: '127.0.0.1:5433/ward7',
        since,
        reason: 'the connection was refused',
      }),
    ).toBe(
      `The team workspace server 127.0.0.1:5433/ward7 has not answered since ${since} (the connection was refused). Labels are not saved until it answers again; the app keeps trying.`,
    )
    expect(clockTime('not a time', 'en')).toBe('')
  })
})

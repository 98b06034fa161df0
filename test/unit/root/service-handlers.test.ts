// The contract's handlers as the composition root builds them: ServiceHandlers is a mapped type
// over every call, so leaving one out fails the typecheck (the @ts-expect-error lines below are
// checked by `tsc -p tsconfig.node.json`), and the booted backend answers every call name.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { callNames, type ServiceHandlers, type ValidArgs } from '../../../preload/contract'
import { boot } from '../../../main/root/boot'

/** Type checks only (never called): tsc fails if an expected error below stops being one. */
export function typeChecks(complete: ServiceHandlers): unknown[] {
  // A handler set that lacks one call is not ServiceHandlers.
  const { 'runs/get': left, ...withoutRunsGet } = complete
  // @ts-expect-error — 'runs/get' has no handler
  const missingOne: ServiceHandlers = withoutRunsGet
  return [left, missingOne]
}

// A handler gets the schema's OUTPUT: fields with defaults are filled, so they are not optional.
export const modelIsFilled = (a: ValidArgs<'training/start'>): string => a.config.model
// @ts-expect-error — handlers are typed by the contract: a wrong result type fails too
export const wrongResult: ServiceHandlers['runs/get'] = async () => 42

describe('the composition root', () => {
  it('has a handler for every call of the contract and shuts down once', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-root-'))
    try {
      const backend = await boot({ home, actor: 'tester' })
      expect(Object.keys(backend.handlers).sort()).toEqual([...callNames].sort())
      expect(await backend.dispatch('projects/list', {})).toEqual({ ok: true, value: [] })
      expect(await backend.dispatch('projects/list', { extra: 1 })).toMatchObject({
        ok: false,
        error: { code: 'bad-input', details: { issues: [{ path: [] }] } },
      })
      await backend.shutdown()
      await backend.shutdown()
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})

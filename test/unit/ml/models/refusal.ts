// The CtsError a model-reading call refuses its input with, as {code, message} for exact asserts;
// a call that does not refuse, or throws anything but a CtsError, fails the test.
import { expect } from 'vitest'
import { CtsError } from '../../../../preload/contract/common'

export interface Refusal {
  code: string
  message: string
}

function asRefusal(err: unknown): Refusal {
  expect(err).toBeInstanceOf(CtsError)
  return { code: (err as CtsError).code, message: (err as CtsError).message }
}

/** The refusal of a synchronous call (a config parser, a file parser). */
export function refusalOf(call: () => unknown): Refusal {
  try {
    call()
  } catch (err) {
    return asRefusal(err)
  }
  throw new Error('expected the input to be refused')
}

/** The refusal of an asynchronous call (reading a model folder). */
export async function asyncRefusalOf(call: () => Promise<unknown>): Promise<Refusal> {
  try {
    await call()
  } catch (err) {
    return asRefusal(err)
  }
  throw new Error('expected the input to be refused')
}

// The fuzz harness (issue #15 point 7): a fixed seed so CI reruns the same inputs, a per-input
// time limit (a hang fails like a crash), the rule "a CtsError with a message or a result, nothing
// else", byte mutators, and the line each target prints for the closing note.
import fc from 'fast-check'
import { CtsError } from '../../main/shared'

/** One seed for every target: the same inputs on every run (change it to explore new ones). */
export const FUZZ_SEED = 20_261_206

/** Longer than any reader needs for a few KB; past it the input counts as a hang. */
export const INPUT_TIMEOUT_MS = 5_000

export class Hang extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms (a hang)`)
    this.name = 'Hang'
  }
}

/** `work()` within `ms`, else a Hang (the work is left behind; the test fails anyway). */
export async function withinTime<T>(work: () => Promise<T>, ms = INPUT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Hang(ms)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

export const isCtsError = (e: unknown): e is CtsError =>
  e instanceof CtsError ||
  (e instanceof Error && e.name === 'CtsError' && typeof (e as CtsError).code === 'string')

/** Runs `work`; a CtsError with a non-empty message is an accepted outcome, anything else is rethrown. */
export async function ctsErrorOrResult(work: () => Promise<unknown>): Promise<'result' | 'error'> {
  try {
    await withinTime(work)
    return 'result'
  } catch (e) {
    if (isCtsError(e) && e.message.trim().length > 0) return 'error'
    if (e instanceof Hang) throw e
    const name = e instanceof Error ? e.name : typeof e
    const message = e instanceof Error ? e.message : String(e)
    throw new Error(`crash: ${name}: ${message}`, { cause: e })
  }
}

export interface FuzzCount {
  inputs: number
  results: number
  errors: number
}

/**
 * Checks `property` on `runs` inputs of `arb` (fixed seed); fast-check shrinks a failing input
 * before reporting it. Prints "fuzz <target>: N inputs, 0 crashes, 0 hangs" when all pass.
 */
export async function fuzz<T>(
  target: string,
  arb: fc.Arbitrary<T>,
  runs: number,
  property: (input: T) => Promise<'result' | 'error'>,
  /** More words for the printed line, e.g. how many inputs got past a schema. */
  more: () => string = () => '',
): Promise<FuzzCount> {
  const count: FuzzCount = { inputs: 0, results: 0, errors: 0 }
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const outcome = await property(input)
      count.inputs++
      count[outcome === 'result' ? 'results' : 'errors']++
    }),
    { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true },
  )
  console.log(
    `fuzz ${target}: ${count.inputs} inputs, 0 crashes, 0 hangs ` +
      `(${count.results} read, ${count.errors} refused with a CtsError${more()})`,
  )
  return count
}

/** Mutations of a valid file: bit flips, overwritten bytes, truncation, splices, repeats. */
export function mutated(base: Uint8Array, maxExtra = 64): fc.Arbitrary<Uint8Array> {
  const flips = fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 })
    .map((edits) => {
      const out = Uint8Array.from(base)
      for (const [at, v] of edits) if (out.length) out[at % out.length] = v
      return out
    })
  const truncated = fc.nat({ max: base.length }).map((n) => base.slice(0, n))
  const spliced = fc
    .tuple(
      fc.nat({ max: base.length }),
      fc.uint8Array({ maxLength: maxExtra }),
      fc.nat({ max: 32 }),
    )
    .map(([at, bytes, cut]) => {
      const out = new Uint8Array(base.length - Math.min(cut, base.length - at) + bytes.length)
      out.set(base.subarray(0, at))
      out.set(bytes, at)
      out.set(base.subarray(at + cut), at + bytes.length)
      return out
    })
  const repeated = fc
    .tuple(
      fc.nat({ max: base.length }),
      fc.nat({ max: base.length }),
      fc.integer({ min: 2, max: 5 }),
    )
    .map(([a, b, times]) => {
      const [from, to] = a <= b ? [a, b] : [b, a]
      const part = base.subarray(from, to)
      const parts = [
        base.subarray(0, to),
        ...Array.from({ length: times }, () => part),
        base.subarray(to),
      ]
      const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
      let i = 0
      for (const p of parts) {
        out.set(p, i)
        i += p.length
      }
      return out
    })
  return fc.oneof(flips, truncated, spliced, repeated)
}

/** Random bytes, mostly short, some a few KB. */
export const randomBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 64, maxLength: 4096 }),
)

// Payloads for a contract call, derived from its zod schema: the right shape with hostile leaves
// (ids 0, -1, 2^53, NaN; empty, huge, control-character and bilingual strings), and now and then a
// wrong type, a missing key or an extra one, so both the schema and the handlers behind it are hit.
import fc from 'fast-check'
import type { z } from 'zod'

const hostileNumber = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 6 },
  // Rates, fractions and probabilities (learning rate, prevalence, thresholds).
  { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      0,
      -1,
      0.5,
      1e-9,
      2 ** 31,
      2 ** 53,
      1e308,
      NaN,
      Infinity,
      -Infinity,
      -0,
    ),
    weight: 3,
  },
  { arbitrary: fc.double(), weight: 1 },
)

/** Strings that are never an absolute path or a way out of the working folder. */
const hostileString = fc
  .oneof(
    { arbitrary: fc.string({ maxLength: 12 }), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'text',
        'label',
        '健康',
        '疾病',
        '胸痛伴气短',
        'Notes',
        'm3e-small',
        'baseline',
        'csv',
        'xlsx',
        'train',
        '\u0000',
        '\ud800',
        '\u202e',
        '\r\n',
        '💊'.repeat(50),
        'x'.repeat(5000),
        '%s%n',
        '{{7*7}}',
        "'; DROP TABLE texts; --",
        'fuzz-out.csv',
        'notes.csv',
        Buffer.from('text,label\n胸痛伴气短,疾病\nroutine checkup,健康\n').toString('base64'),
        'out/dir',
        '(session)',
      ),
      weight: 4,
    },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
  )
  .map(safeString)

/** Keeps generated paths inside the working folder (the fuzz test runs in a temporary one). */
export function safeString(s: string): string {
  return s.replace(/\.\./g, '_').replace(/^[/~\\]+/, '')
}

/** Every string inside `v` made safe (for fc.anything's values, which may hold any string). */
export function sanitized(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return safeString(v)
  if (depth > 20 || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((x) => sanitized(x, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = sanitized(x, depth + 1)
  return out
}

const wrong = fc.anything({ maxDepth: 2, maxKeys: 3 })

type Check = { check?: string; value?: number; inclusive?: boolean; format?: string }
type Def = {
  type: string
  checks?: { _zod: { def: Check } }[]
  shape?: Record<string, z.ZodType>
  element?: z.ZodType
  innerType?: z.ZodType
  options?: z.ZodType[]
  entries?: Record<string, string | number>
  values?: unknown[]
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def

/** Mostly numbers the schema's bounds allow (so the handler runs), else hostile ones. */
function numberIn(d: Def): fc.Arbitrary<number> {
  const checks = (d.checks ?? []).map((c) => c._zod.def)
  const int = checks.some((c) => c.format === 'safeint' || c.format === 'int32')
  const lower = checks.find((c) => c.check === 'greater_than')
  const upper = checks.find((c) => c.check === 'less_than')
  if (!lower && !upper) return hostileNumber
  let lo = lower?.value ?? -1e6
  let hi = upper?.value ?? lo + 1e6
  if (int) {
    if (lower && !lower.inclusive) lo = Math.floor(lo) + 1
    if (upper && !upper.inclusive) hi = Math.ceil(hi) - 1
  }
  const allowed = int
    ? fc.oneof(fc.integer({ min: lo, max: Math.min(hi, lo + 4) }), fc.constantFrom(lo, hi))
    : fc
        .double({ min: lo, max: hi, noNaN: true })
        .filter(
          (x) => (lower?.inclusive !== false || x > lo) && (upper?.inclusive !== false || x < hi),
        )
  return fc.oneof({ arbitrary: allowed, weight: 8 }, { arbitrary: hostileNumber, weight: 2 })
}

/** A value shaped like `schema` with hostile leaves; about one node in 25 is replaced by junk. */
export function payloadFor(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const right = shaped(schema, depth)
  return fc.oneof({ arbitrary: right, weight: 24 }, { arbitrary: wrong, weight: 1 })
}

function shaped(schema: z.ZodType, depth: number): fc.Arbitrary<unknown> {
  const d = defOf(schema)
  if (depth > 6) return wrong
  switch (d.type) {
    case 'object': {
      const shape = d.shape ?? {}
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      const required: string[] = []
      for (const [key, child] of Object.entries(shape)) {
        model[key] = payloadFor(child, depth + 1)
        const t = defOf(child).type
        if (t !== 'optional' && t !== 'default') required.push(key)
      }
      const record = fc.record(model, { requiredKeys: required })
      // Sometimes a required key is dropped or an unknown one added (strict objects refuse it).
      return fc.oneof(
        { arbitrary: record, weight: 18 },
        {
          arbitrary: fc.tuple(record, fc.nat()).map(([r, i]) => {
            const keys = Object.keys(r)
            if (keys.length === 0) return r
            const { [keys[i % keys.length]]: _dropped, ...rest } = r
            return rest
          }),
          weight: 1,
        },
        {
          arbitrary: fc.tuple(record, hostileString).map(([r, k]) => ({ ...r, [`x${k}`]: 1 })),
          weight: 1,
        },
      )
    }
    case 'number':
      return numberIn(d)
    case 'string':
      return hostileString
    case 'boolean':
      return fc.boolean()
    case 'enum': {
      const values = Object.values(d.entries ?? {})
      return fc.oneof(
        { arbitrary: fc.constantFrom(...values), weight: 4 },
        { arbitrary: hostileString, weight: 1 },
      )
    }
    case 'literal':
      return fc.constantFrom(...(d.values ?? [null]))
    case 'array':
      return fc.array(payloadFor(d.element!, depth + 1), { maxLength: 4 })
    case 'union':
      return fc.oneof(...(d.options ?? []).map((o) => payloadFor(o, depth + 1)))
    case 'optional':
    case 'default':
      return fc.option(payloadFor(d.innerType!, depth + 1), { nil: undefined, freq: 3 })
    case 'nullable':
      return fc.option(payloadFor(d.innerType!, depth + 1), { nil: null, freq: 3 })
    default:
      return wrong
  }
}

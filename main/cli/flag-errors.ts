// How a contract's 'bad-input' becomes a message about the command line: each issue's argument
// path is mapped back to the flag that filled it, and what the flag allows is read from the same
// zod schema the dispatch boundary validated with ("--max-length must be a whole number from 8
// to 8192 (got "4").").
import type { z } from 'zod'
import { callSchemas, type CallName } from '../../preload/contract'
import type { ArgumentIssue } from '../root/dispatch'

/** Argument path ('config.maxLength', 'runId') → the flag that fills it ('--max-length'). */
export type FlagMap = Readonly<Record<string, string>>

interface Def {
  type: string
  innerType?: z.ZodType
  in?: z.ZodType
  options?: z.ZodType[]
  values?: unknown[]
  element?: z.ZodType
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean } } }[]
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def

/** The schema behind optional / default / nullable / pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema
  for (let i = 0; i < 10; i++) {
    const d = defOf(s)
    if (d.innerType) s = d.innerType
    else if (d.type === 'pipe' && d.in) s = d.in
    else break
  }
  return s
}

/** The schema at `path` inside a call's argument schema, when the path leads into objects. */
export function schemaAt(name: CallName, path: readonly (string | number)[]): z.ZodType | null {
  let s: z.ZodType = callSchemas[name]
  for (const part of path) {
    const inner = unwrap(s)
    const shape = (inner as unknown as { shape?: Record<string, z.ZodType> }).shape
    const d = defOf(inner)
    if (shape && typeof part === 'string' && shape[part]) s = shape[part]
    else if (d.type === 'array' && typeof part === 'number' && d.element) s = d.element
    else return null
  }
  return s
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(n))

/** What a schema accepts, in words: "a whole number from 8 to 8192", "auto, cpu or cuda". */
export function describeAllowed(schema: z.ZodType): string {
  const s = unwrap(schema)
  const d = defOf(s)
  switch (d.type) {
    case 'number': {
      let min: { value: number; inclusive: boolean } | undefined
      let max: { value: number; inclusive: boolean } | undefined
      let int = false
      for (const c of d.checks ?? []) {
        const cd = c._zod.def
        if (cd.check === 'greater_than' && cd.value !== undefined)
          min = { value: cd.value, inclusive: cd.inclusive ?? false }
        if (cd.check === 'less_than' && cd.value !== undefined)
          max = { value: cd.value, inclusive: cd.inclusive ?? false }
        if (cd.check === 'number_format') int = true
      }
      const what = int ? 'a whole number' : 'a number'
      if (min && max && min.inclusive && max.inclusive)
        return `${what} from ${fmt(min.value)} to ${fmt(max.value)}`
      const parts = [
        min && `${min.inclusive ? 'at least' : 'greater than'} ${fmt(min.value)}`,
        max && `${max.inclusive ? 'at most' : 'less than'} ${fmt(max.value)}`,
      ].filter(Boolean)
      return parts.length ? `${what} ${parts.join(' and ')}` : what
    }
    case 'enum': {
      const options = (s as unknown as { options: string[] }).options
      return options.length > 1
        ? `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`
        : String(options[0])
    }
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' or ')
    case 'string': {
      const { minLength, maxLength } = s as unknown as {
        minLength: number | null
        maxLength: number | null
      }
      if (minLength && maxLength) return `a text of ${minLength} to ${maxLength} characters`
      if (minLength)
        return minLength === 1 ? 'a non-empty text' : `at least ${minLength} characters`
      if (maxLength) return `a text of at most ${maxLength} characters`
      return 'a text'
    }
    case 'boolean':
      return 'true or false'
    case 'array':
      return d.element ? `a list, each ${describeAllowed(d.element)}` : 'a list'
    case 'union':
      return (d.options ?? []).map(describeAllowed).join(', or ')
    default:
      return 'a valid value'
  }
}

// As typed on the command line: `(got "4")` whether the flag's text became a number or not.
const show = (v: unknown) => JSON.stringify(String(v))

/** The value at `path` in the arguments as sent (for "(got …)"). */
function valueAt(args: unknown, path: readonly (string | number)[]): unknown {
  let v = args
  for (const part of path) v = (v as Record<string | number, unknown> | undefined)?.[part]
  return v
}

/**
 * One line naming the flag and what it allows for each issue whose argument a flag filled, or
 * null when no issue maps to a flag (the service's own message is shown then).
 */
export function flagMessage(
  name: CallName,
  args: unknown,
  issues: readonly ArgumentIssue[],
  flags: FlagMap,
): string | null {
  const lines: string[] = []
  for (const issue of issues) {
    // The longest prefix of the path that a flag fills ('config.maxLength' before 'config').
    let flag: string | undefined
    let at: (string | number)[] = []
    for (let n = issue.path.length; n > 0 && !flag; n--) {
      const key = issue.path.slice(0, n).join('.')
      if (flags[key]) {
        flag = flags[key]
        at = issue.path.slice(0, n)
      }
    }
    if (!flag) continue
    // The innermost schema the issue points at: one label of --labels, not the whole list.
    const inner = schemaAt(name, issue.path)
    const schema = inner ?? schemaAt(name, at)
    const value = valueAt(args, inner ? issue.path : at)
    const got = value === undefined ? '' : ` (got ${show(value)})`
    // A schema issue says what the flag allows; a service's own issue (a missing column) says why.
    const fromSchema = schema && issue.fromSchema !== false
    lines.push(
      fromSchema
        ? `${flag} must be ${describeAllowed(schema)}${got}.`
        : `${flag}: ${issue.message}`,
    )
  }
  return lines.length ? [...new Set(lines)].join(' ') : null
}

/**
 * For a 'not-found' a service raised without issues ("The wheel file /x.whl was not found."):
 * the flag whose value the message quotes, so the line still says which flag to change.
 */
export function quotedFlag(args: unknown, message: string, flags: FlagMap): string | null {
  for (const [key, flag] of Object.entries(flags)) {
    const value = valueAt(args, key.split('.'))
    // Short values ("a", "1") would match by chance; paths and names are long enough.
    if (typeof value === 'string' && value.length >= 4 && message.includes(value)) return flag
  }
  return null
}

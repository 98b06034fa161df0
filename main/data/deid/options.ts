// Validates the hospital-supplied parts of DeidOptions (their regular expressions) before any
// text is touched, so a typo fails with a message naming the pattern, not mid-import.
import { CtsError } from '../../shared'
import { PHI_TYPES, type DeidOptions } from '../../../preload/contract/deid'

const compiled = new Map<string, RegExp>()
const MAX_COMPILED = 256

/**
 * Compiles a user pattern the way the engine runs it (global, with match indices), once: an
 * import masks text after text with the same options. Throws SyntaxError on a bad pattern.
 */
export function compileUserPattern(source: string): RegExp {
  let re = compiled.get(source)
  if (!re) {
    re = new RegExp(source, 'gdu')
    if (compiled.size >= MAX_COMPILED) compiled.clear()
    compiled.set(source, re)
  }
  re.lastIndex = 0
  return re
}

export function checkDeidOptions(options: DeidOptions): void {
  for (const t of options.types ?? []) {
    if (!(PHI_TYPES as readonly string[]).includes(t)) {
      throw new CtsError(
        'bad-input',
        `De-identification: "${t}" is not a PHI kind (${PHI_TYPES.join(', ')}).`,
      )
    }
  }
  const lists: [string, string[] | undefined][] = [
    ['medical record number', options.mrnPatterns],
    ['insurance number', options.insurancePatterns],
  ]
  for (const [what, patterns] of lists) {
    for (const [i, p] of (patterns ?? []).entries()) {
      let re: RegExp
      try {
        re = compileUserPattern(p)
      } catch (e) {
        throw new CtsError(
          'bad-input',
          `De-identification: ${what} pattern ${i + 1} "${p}" is not a valid regular expression (${(e as Error).message}).`,
        )
      }
      // A pattern that matches the empty string would mask nothing and loop; refuse it clearly.
      if (re.test('')) {
        throw new CtsError(
          'bad-input',
          `De-identification: ${what} pattern ${i + 1} "${p}" matches empty text; make it match at least one character.`,
        )
      }
    }
  }
}

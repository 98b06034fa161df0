// Shared DTO pieces and the error shape that crosses the bridge. No environment-specific imports.
import { z } from 'zod'

/** Every failure crosses the bridge as this value and is rebuilt as a CtsError on the other side. */
export interface CtsErrorDto {
  code: string
  message: string
  /** Optional structured detail, e.g. the rejected rows of an import. Never patient text in logs. */
  details?: unknown
}

/** Error codes a clinician-facing message can be keyed on. */
export type CtsErrorCode =
  | 'bad-input'
  | 'not-found'
  | 'conflict'
  | 'unsupported'
  | 'forbidden'
  | 'cancelled'
  | 'internal'
  /** A team workspace refused the step for the member's role (issue #17 point 3). */
  | 'team-forbidden'
  /** Every connection to the team server is in use on this computer; try again (issue #17 point 5). */
  | 'team-busy'

export class CtsError extends Error {
  constructor(
    public readonly code: CtsErrorCode | string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message)
    this.name = 'CtsError'
  }
  toDto(): CtsErrorDto {
    return { code: this.code, message: this.message, details: this.details }
  }
}

/**
 * A file handed across the bridge: a path in the desktop app (chosen in a main-process dialog),
 * or the bytes themselves in the browser build, where no path exists.
 */
export const fileRefSchema = z.union([
  z.object({ path: z.string().min(1) }),
  z.object({ name: z.string().min(1), contentBase64: z.string() }),
])
export type FileRef = z.infer<typeof fileRefSchema>

export const idSchema = z.number().int().positive()

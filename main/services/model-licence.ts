// The licence of a model folder, for the model list, the run record, the report and the model card:
// the install record an accepted install wrote, else the pinned entry whose files it carries, else
// the `license:` key of its README's front matter, else unknown (null).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ModelLicenceDto } from '../../preload/contract/models'
import type { RunLicence } from '../ml/models/run-licence'
import { licenceDto, type ModelsLock } from './models-lock'

/** Written into an installed model's folder: what was installed, under which licence, by whom. */
export const INSTALL_RECORD = 'cts-install.json'

export interface InstallRecord {
  id: string
  licence: ModelLicenceDto
  acceptedAt: string
  /** The OS user who accepted the licence (or the setup script, for a checkout's tests). */
  acceptedBy: string
  wheel: string
  wheelSha256: string
}

/** The install record of a folder, or null when there is none or it cannot be read. */
export function readInstallRecord(dir: string): InstallRecord | null {
  const path = join(dir, INSTALL_RECORD)
  if (!existsSync(path)) return null
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<InstallRecord>
    const l = r.licence
    if (
      typeof r.id !== 'string' ||
      typeof l?.name !== 'string' ||
      typeof l.summary !== 'string' ||
      typeof l.researchOnly !== 'boolean'
    ) {
      return null
    }
    return r as InstallRecord
  } catch {
    return null
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * The pinned model a folder is a copy of, recognised by its README.md and config.json (small
 * files, so a listing stays fast): an imported copy of m3e-small keeps its research-only licence
 * whatever the folder is called.
 */
export function pinnedModelOf(dir: string, lock: ModelsLock | null): string | null {
  if (!lock) return null
  const read = (f: string) => {
    const p = join(dir, f)
    return existsSync(p) ? sha256(readFileSync(p)) : null
  }
  const readme = read('README.md')
  const config = read('config.json')
  if (!readme || !config) return null
  for (const [id, e] of Object.entries(lock.models)) {
    if (e.files['README.md']?.sha256 === readme && e.files['config.json']?.sha256 === config)
      return id
  }
  return null
}

/** Licence names that forbid commercial use (cc-by-nc-4.0, "non-commercial", "research only"). */
const NON_COMMERCIAL = /(^|[-_ ])nc([-_ ]|$)|non[- ]?commercial|research/i

/** `license: x` (or `license:` followed by `- x`) in the README's YAML front matter. */
export function frontMatterLicence(readme: string): string | null {
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readme)
  if (!m) return null
  const lines = m[1].split(/\r?\n/)
  const i = lines.findIndex((l) => /^licen[cs]e\s*:/.test(l))
  if (i < 0) return null
  const inline = lines[i].replace(/^licen[cs]e\s*:/, '').trim()
  const value = inline || (/^\s*-\s*(.+)$/.exec(lines[i + 1] ?? '')?.[1] ?? '')
  const clean = value.replace(/^["']|["']$/g, '').trim()
  return clean || null
}

function readmeLicence(dir: string): ModelLicenceDto | null {
  const path = join(dir, 'README.md')
  if (!existsSync(path)) return null
  const name = frontMatterLicence(readFileSync(path, 'utf8'))
  if (!name) return null
  const researchOnly = NON_COMMERCIAL.test(name)
  return {
    name,
    summary: researchOnly
      ? `The model's README names the licence "${name}", which does not allow commercial use. Read it before you use or share a model trained from this one.`
      : `The model's README names the licence "${name}". Read it before you use or share a model trained from this one.`,
    summaryZh: researchOnly
      ? `模型 README 标注的许可为“${name}”，不允许商业使用。使用或分享由其训练的模型之前，请先阅读该许可。`
      : `模型 README 标注的许可为“${name}”。使用或分享由其训练的模型之前，请先阅读该许可。`,
    researchOnly,
    source: 'README.md (front matter "license")',
  }
}

/** The licence of any model folder; null when the folder does not say. */
export function folderLicence(dir: string, lock: ModelsLock | null): ModelLicenceDto | null {
  const record = readInstallRecord(dir)
  if (record) return { ...record.licence, acceptedAt: record.acceptedAt }
  const pinned = pinnedModelOf(dir, lock)
  if (pinned && lock) return licenceDto(lock.models[pinned].licence)
  return readmeLicence(dir)
}

/** The licence as a run records it (name, research-only, where it is stated). */
export function runLicence(licence: ModelLicenceDto | null): RunLicence {
  if (!licence) return { name: 'unknown', researchOnly: false }
  const { name, researchOnly, source } = licence
  return source ? { name, researchOnly, source } : { name, researchOnly }
}

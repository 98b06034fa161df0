// Cross-validation records behind an asynchronous interface, and its implementation over files:
// <home>/cv/<id>.json (the record) and <id>-predictions.json (what is kept of the fold models).
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CvResultDto } from '../../preload/contract/cv'
import { writeFileAtomic } from '../shared/atomic-file'

/** Folder under the workspace home holding the CV records. */
export const CV_DIR = 'cv'

export interface CvRecordsRepository {
  /** Stores a new record under the next free id and returns it with that id. */
  create(record: Omit<CvResultDto, 'id'>): Promise<CvResultDto>
  /** Replaces the stored record of `record.id`. */
  save(record: CvResultDto): Promise<void>
  /** Each text's fold, true class and out-of-fold prediction (written once, when it succeeded). */
  saveOutOfFold(cvId: number, artifact: unknown): Promise<void>
  get(cvId: number): Promise<CvResultDto | undefined>
  /** Every record, newest first. */
  list(): Promise<CvResultDto[]>
}

export class FileCvRecordsRepository implements CvRecordsRepository {
  constructor(private readonly dir: string) {}

  async create(record: Omit<CvResultDto, 'id'>): Promise<CvResultDto> {
    mkdirSync(this.dir, { recursive: true })
    const stored = { id: Math.max(0, ...this.ids()) + 1, ...record }
    this.write(stored)
    return stored
  }

  async save(record: CvResultDto): Promise<void> {
    this.write(record)
  }

  async saveOutOfFold(cvId: number, artifact: unknown): Promise<void> {
    writeFileAtomic(join(this.dir, `${cvId}-predictions.json`), JSON.stringify(artifact))
  }

  async get(cvId: number): Promise<CvResultDto | undefined> {
    return this.read(cvId)
  }

  async list(): Promise<CvResultDto[]> {
    return this.ids()
      .sort((a, b) => b - a)
      .flatMap((id) => this.read(id) ?? [])
  }

  private read(cvId: number): CvResultDto | undefined {
    const path = join(this.dir, `${cvId}.json`)
    if (!existsSync(path)) return undefined
    return JSON.parse(readFileSync(path, 'utf8')) as CvResultDto
  }

  private write(r: CvResultDto): void {
    writeFileAtomic(join(this.dir, `${r.id}.json`), JSON.stringify(r, null, 2))
  }

  private ids(): number[] {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir)
      .map((f) => /^(\d+)\.json$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
  }
}

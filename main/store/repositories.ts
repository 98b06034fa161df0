// The storage seam: every repository the services use, each an async interface. The SQLite
// implementation below is synchronous inside; a server database would be a second implementation.
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { SqliteAnnotationsRepository, type AnnotationsRepository } from './annotations-repository'
import { SqliteAuditRepository, type AuditRepository } from './audit-repository'
import { SqliteImportsRepository, type ImportsRepository } from './imports-repository'
import { SqliteProjectsRepository, type ProjectsRepository } from './projects-repository'
import { SqliteTextsRepository, type TextsRepository } from './texts-repository'
import { SqliteRunsRepository, type RunsRepository } from './runs-repository'
import { SqliteStudiesRepository, type StudiesRepository } from './studies-repository'
import { SqliteTextSampleRepository, type TextSampleRepository } from './text-sample-repository'
import { CV_DIR, FileCvRecordsRepository, type CvRecordsRepository } from './cv-records-repository'
import { SqliteLoopRepository, type LoopRepository } from './loop-repository'
import { SqliteQueueRepository, type QueueRepository } from './queue-repository'
import { SqliteAnnotatorsRepository, type AnnotatorsRepository } from './annotators-repository'
import { SqlitePackagesRepository, type PackagesRepository } from './packages-repository'
import { SqliteApiTokensRepository, type ApiTokensRepository } from './api-tokens-repository'

/**
 * All repositories of one workspace. Every method returns a Promise. A write that must be atomic
 * (several statements, or a check and a write) is ONE method, because a better-sqlite3
 * transaction cannot span an await.
 */
export interface Repositories {
  /** Projects and their label sets. */
  projects: ProjectsRepository
  /** Reading texts: lists, search, next to label, split counts, export pages, training rows. */
  texts: TextsRepository
  /** Label writes (set, skip, undo/redo over the history) and label counts. */
  annotations: AnnotationsRepository
  /** The audit log, for actions that write nothing else. */
  audit: AuditRepository
  /** Import staging and the all-or-nothing commit of an import. */
  imports: ImportsRepository
  // --- STORE-B: runs, run epochs, studies, cv, model choice, reports (add fields below) ---
  /** Training runs and their epochs (the run deletion and its audit entry: one method). */
  runs: RunsRepository
  /** The auto recipe's studies. */
  studies: StudiesRepository
  /** The sample of a project's texts the model choice reads. */
  textSample: TextSampleRepository
  /** Cross-validation records (files under <home>/cv). */
  cvRecords: CvRecordsRepository
  /** The labelling queue's text states and the label review's decisions (issue #11). */
  queue: QueueRepository
  /** The model in the loop: settings, audit sample, in-loop models and their suggestions. */
  loop: LoopRepository
  /** Annotator profiles, each annotator's own labels, adjudications and the resolved gold labels (issue #12). */
  annotators: AnnotatorsRepository
  /** Annotation packages: one annotator's rows out, another installation's merged in (issue #12). */
  packages: PackagesRepository
  /** `cts serve`'s named API tokens (hashes only) and their audited request counts (issue #15). */
  apiTokens: ApiTokensRepository
}

/**
 * The SQLite implementation of every repository, over one open workspace connection (and the
 * files beside it in `home`: cross-validation records).
 */
export function sqliteRepositories(db: Database, home: string): Repositories {
  return {
    projects: new SqliteProjectsRepository(db),
    texts: new SqliteTextsRepository(db),
    annotations: new SqliteAnnotationsRepository(db),
    audit: new SqliteAuditRepository(db),
    imports: new SqliteImportsRepository(db),
    // --- STORE-B: construct the runs/studies/cv/... SQLite repositories below ---
    runs: new SqliteRunsRepository(db),
    studies: new SqliteStudiesRepository(db),
    textSample: new SqliteTextSampleRepository(db),
    cvRecords: new FileCvRecordsRepository(join(home, CV_DIR)),
    queue: new SqliteQueueRepository(db),
    loop: new SqliteLoopRepository(db),
    annotators: new SqliteAnnotatorsRepository(db),
    packages: new SqlitePackagesRepository(db),
    apiTokens: new SqliteApiTokensRepository(db),
  }
}

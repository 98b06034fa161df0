// The PostgreSQL implementation of every repository (the team workspace), over one pool. Same
// interfaces, DTOs and errors as sqliteRepositories; cross-validation records stay files in `home`.
import { join } from 'node:path'
import { CV_DIR, FileCvRecordsRepository } from '../cv-records-repository'
import type { Repositories } from '../repositories'
import { PgAnnotationsRepository } from './annotations-repository'
import { PgAnnotatorsRepository } from './annotators-repository'
import { PgApiTokensRepository } from './api-tokens-repository'
import { PgAuditRepository } from './audit-repository'
import { PgImportsRepository } from './imports-repository'
import { PgLoopRepository } from './loop-repository'
import { PgPackagesRepository } from './packages-repository'
import type { PgDatabase } from './pg-database'
import { PgProjectsRepository } from './projects-repository'
import { PgQueueRepository } from './queue-repository'
import { PgRunsRepository } from './runs-repository'
import { PgStudiesRepository } from './studies-repository'
import { PgTextSampleRepository } from './text-sample-repository'
import { PgTextsRepository } from './texts-repository'

/** Every repository of a team workspace over `db` (and the files beside it in `home`). */
export function pgRepositories(db: PgDatabase, home: string): Repositories {
  return {
    projects: new PgProjectsRepository(db),
    texts: new PgTextsRepository(db),
    annotations: new PgAnnotationsRepository(db),
    audit: new PgAuditRepository(db),
    imports: new PgImportsRepository(db),
    runs: new PgRunsRepository(db),
    studies: new PgStudiesRepository(db),
    textSample: new PgTextSampleRepository(db),
    cvRecords: new FileCvRecordsRepository(join(home, CV_DIR)),
    queue: new PgQueueRepository(db),
    loop: new PgLoopRepository(db),
    annotators: new PgAnnotatorsRepository(db),
    packages: new PgPackagesRepository(db),
    apiTokens: new PgApiTokensRepository(db),
  }
}

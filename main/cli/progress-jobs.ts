// The job service of a CLI command that trains: job processes forked from the job entry, their
// progress written to stderr as the command's own lines.
import type { JobProgressDto } from '../../preload/contract'
import { ForkHost, jobEntryPath } from '../jobs/fork-host'
import { JobService } from '../jobs/job-service'

/** stderr gets a line at most every 2 s while training, every phase change otherwise. */
export function stderrProgressJobs(lineOf: (p: JobProgressDto) => string | undefined): JobService {
  let lastLine = 0
  return new JobService({
    host: new ForkHost({ entry: jobEntryPath() }),
    publish: (_e, p) => {
      const line = lineOf(p)
      const now = Date.now()
      if (line && (p.phase !== 'training' || now - lastLine > 2000)) {
        lastLine = now
        process.stderr.write(line + '\n')
      }
    },
  })
}

// Child process of the crash test: performs planned label writes through the labels service and
// prints each one to stdout only after the call returned (i.e. after its commit).
// Usage: crash-writer <home> <first write number> <count>
import { writeSync } from 'node:fs'
import { LabelsService } from '../../../main/services/labels-service'
import { ProjectsService } from '../../../main/services/projects-service'
import { openWorkspace } from '../../../main/store/workspace'
import { plannedWrite } from './crash-plan'

const [home, firstArg, countArg] = process.argv.slice(2)
const first = Number(firstArg)
const count = Number(countArg)
const workspace = openWorkspace(home)
const projects = new ProjectsService(workspace.repos, 'crash-writer')
const labels = new LabelsService(workspace.repos, projects, 'crash-writer')

// An async main, not top-level await: the test bundles this file as CommonJS.
async function main(): Promise<void> {
  for (let i = first; i < first + count; i++) {
    const done = await labels.set(plannedWrite(i))
    // writeSync: the line is in the pipe before the next write starts.
    writeSync(1, `${i} ${done.textId} ${done.labelIds.join(',')} ${done.revision}\n`)
  }
  workspace.close()
}
void main()

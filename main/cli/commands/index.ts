// Every `cts` command, in help order. To add one: write main/cli/commands/<name>.ts exporting a
// CliCommand (see project.ts) and add it to this list.
import type { CliCommand } from './command'
import { annotatorsCommand } from './annotators'
import { exportCommand } from './export'
import { exportModelCommand } from './export-model'
import { importCommand } from './import'
import { modelCommand } from './model'
import { projectCommand } from './project'
import { reportCommand } from './report'
import { predictCommand } from './predict'
import { serveCommand } from './serve'
import { tokenCommand } from './token'
import { trainCommand } from './train'
import { studyCommand } from './study'
import { cvCommand } from './cv'
import { simulateCommand } from './simulate'
import { nextCommand } from './next'
import { reviewCommand } from './review'
import { packageCommand } from './package'
import { agreementCommand } from './agreement'
import { adjudicateCommand } from './adjudicate'
import { auditCommand } from './audit'
import { deidCommand } from './deid'
import { workspaceCommand } from './workspace'
import { gpuCommand } from './gpu'

export type { CliCommand } from './command'

export const commands: CliCommand[] = [
  projectCommand,
  annotatorsCommand,
  importCommand,
  deidCommand,
  exportCommand,
  packageCommand,
  trainCommand,
  studyCommand,
  cvCommand,
  simulateCommand,
  nextCommand,
  reviewCommand,
  agreementCommand,
  adjudicateCommand,
  auditCommand,
  predictCommand,
  exportModelCommand,
  reportCommand,
  modelCommand,
  serveCommand,
  tokenCommand,
  workspaceCommand,
  gpuCommand,
]

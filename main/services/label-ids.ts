// The checks every label write shares (a label, an adjudicator's decision): the labels belong to
// the text's project, none twice, and one only in a single-label project.
import { CtsError } from '../shared'
import type { Repositories } from '../store/repositories'
import type { ProjectsService } from './projects-service'

/** The label ids, sorted, after checking they belong to the project and fit its kind. */
export async function checkedLabelIds(
  repos: Pick<Repositories, 'projects'>,
  projects: ProjectsService,
  projectId: number,
  labelIds: number[],
  /** Ends the one-label message ("Choose a single label…"). */
  chooseOne = 'Choose a single label.',
): Promise<number[]> {
  const ids = [...labelIds].sort((a, b) => a - b)
  if (new Set(ids).size !== ids.length)
    throw new CtsError('bad-input', 'A label was given more than once.')
  // Labels are never removed from a project and its kind never changes, so these checks
  // still hold when the write commits.
  const own = new Set((await repos.projects.labels(projectId)).map((l) => l.id))
  const foreign = ids.filter((id) => !own.has(id))
  if (foreign.length > 0) {
    throw new CtsError(
      'bad-input',
      `Label ${foreign.join(', ')} does not belong to this text's project.`,
    )
  }
  const kind = (await projects.require(projectId)).kind
  if (kind !== 'multilabel' && ids.length > 1)
    throw new CtsError('bad-input', `This project takes one label per text. ${chooseOne}`)
  return ids
}

export function textNotFound(textId: number): CtsError {
  return new CtsError('not-found', `Text ${textId} does not exist.`)
}

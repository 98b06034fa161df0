// Labelling: set a text's labels, skip, undo/redo over the project's history, counts. Every
// call returns only after its transaction has committed (synchronous=FULL: on disk).
import type { Database } from 'better-sqlite3'
import { CtsError } from '../../preload/contract/common'
import type { AnnotationDto, LabelStatsDto } from '../../preload/contract/labels'
import {
  currentLabelIds,
  currentRevision,
  discardRedoStack,
  insertHistory,
  labelStats,
  markSkipped,
  redoCandidate,
  setUndoState,
  undoCandidate,
  UndoState,
  writeState,
  type HistoryRow,
} from '../store/annotations-repo'
import { writeAudit } from '../store/audit'
import { labelsOf } from '../store/projects-repo'
import { projectOfText } from '../store/texts-repo'
import type { ProjectsService } from './projects-service'

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

export class LabelsService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectsService,
    private readonly actor: string,
  ) {}

  /**
   * Replaces the text's label set. Single-label projects take one label (or none, to clear);
   * multi-label projects any subset of their labels. Setting the labels a text already has
   * changes nothing and returns its current revision.
   */
  set(args: { textId: number; labelIds: number[]; annotator?: string }): AnnotationDto {
    const annotator = args.annotator?.trim() || this.actor
    return this.db
      .transaction((): AnnotationDto => {
        const projectId = this.requireTextProject(args.textId)
        const after = this.validLabelIds(projectId, args.labelIds)
        const before = currentLabelIds(this.db, args.textId)
        if (sameIds(before, after)) {
          return {
            textId: args.textId,
            labelIds: after,
            revision: currentRevision(this.db, args.textId),
          }
        }
        discardRedoStack(this.db, projectId)
        const revision = insertHistory(this.db, {
          projectId,
          textId: args.textId,
          action: 'set',
          before,
          after,
          targetId: null,
          annotator,
        })
        writeState(this.db, projectId, args.textId, after, revision, annotator, after.length > 0)
        writeAudit(this.db, annotator, 'label.set', projectId, {
          textId: args.textId,
          labelIds: after,
          revision,
        })
        return { textId: args.textId, labelIds: after, revision }
      })
      .immediate()
  }

  /** Marks a text as skipped: counted in stats and offered last by texts/next; not a label. */
  skip(textId: number): { textId: number } {
    this.db
      .transaction(() => {
        const projectId = this.requireTextProject(textId)
        markSkipped(this.db, projectId, textId, this.actor)
        writeAudit(this.db, this.actor, 'label.skip', projectId, { textId })
      })
      .immediate()
    return { textId }
  }

  /** Reverts the project's latest label change that is not undone yet; null when there is none. */
  undo(projectId: number): AnnotationDto | null {
    return this.step(projectId, 'undo')
  }

  /** Re-applies the most recently undone change; null when there is none (or a new change cleared it). */
  redo(projectId: number): AnnotationDto | null {
    return this.step(projectId, 'redo')
  }

  stats(projectId: number): LabelStatsDto {
    this.projects.require(projectId)
    return labelStats(this.db, projectId)
  }

  private step(projectId: number, action: 'undo' | 'redo'): AnnotationDto | null {
    return this.db
      .transaction((): AnnotationDto | null => {
        this.projects.require(projectId)
        const target: HistoryRow | undefined =
          action === 'undo' ? undoCandidate(this.db, projectId) : redoCandidate(this.db, projectId)
        if (!target) return null
        const labelIds = JSON.parse(
          action === 'undo' ? target.before_label_ids : target.after_label_ids,
        ) as number[]
        const before = currentLabelIds(this.db, target.text_id)
        const revision = insertHistory(this.db, {
          projectId,
          textId: target.text_id,
          action,
          before,
          after: labelIds,
          targetId: target.id,
          annotator: this.actor,
        })
        setUndoState(this.db, target.id, action === 'undo' ? UndoState.undone : UndoState.done)
        writeState(
          this.db,
          projectId,
          target.text_id,
          labelIds,
          revision,
          this.actor,
          labelIds.length > 0,
        )
        writeAudit(
          this.db,
          this.actor,
          action === 'undo' ? 'label.undo' : 'label.redo',
          projectId,
          {
            textId: target.text_id,
            labelIds,
            revision,
            target: target.id,
          },
        )
        return { textId: target.text_id, labelIds, revision }
      })
      .immediate()
  }

  private requireTextProject(textId: number): number {
    const projectId = projectOfText(this.db, textId)
    if (projectId === undefined) throw new CtsError('not-found', `Text ${textId} does not exist.`)
    return projectId
  }

  /** The label ids, sorted, after checking they belong to the project and fit its kind. */
  private validLabelIds(projectId: number, labelIds: number[]): number[] {
    const ids = [...labelIds].sort((a, b) => a - b)
    if (new Set(ids).size !== ids.length)
      throw new CtsError('bad-input', 'A label was given more than once.')
    const own = new Set(labelsOf(this.db, projectId).map((l) => l.id))
    const foreign = ids.filter((id) => !own.has(id))
    if (foreign.length > 0) {
      throw new CtsError(
        'bad-input',
        `Label ${foreign.join(', ')} does not belong to this text's project.`,
      )
    }
    const kind = this.projects.require(projectId).kind
    if (kind !== 'multilabel' && ids.length > 1) {
      throw new CtsError(
        'bad-input',
        'This project takes one label per text. Choose a single label.',
      )
    }
    return ids
  }
}

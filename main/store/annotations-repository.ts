// Label writes behind an async interface — set, skip, undo/redo over the project's history — and
// label counts. Each write is one method: one transaction with its history and audit entries.
import type { Database } from 'better-sqlite3'
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
} from './annotations-repo'
import { writeAudit } from './audit'
import { projectOfText } from './texts-repo'

export interface AnnotationsRepository {
  /**
   * Replaces the text's labels with `labelIds` (sorted, already checked against the project),
   * records the change in the history and the audit log as `annotator`, and clears the redo
   * stack. Setting the labels a text already has changes nothing and returns its current
   * revision. Undefined when the text is not (any longer) in `projectId`.
   */
  set(input: {
    projectId: number
    textId: number
    labelIds: number[]
    annotator: string
  }): Promise<AnnotationDto | undefined>
  /** Marks the text skipped and audits it; false when the text is not (any longer) in `projectId`. */
  skip(input: { projectId: number; textId: number; actor: string }): Promise<boolean>
  /** Reverts the latest change not undone yet, or re-applies the latest undone one; null if none. */
  step(input: {
    projectId: number
    action: 'undo' | 'redo'
    actor: string
  }): Promise<AnnotationDto | null>
  stats(projectId: number): Promise<LabelStatsDto>
}

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

export class SqliteAnnotationsRepository implements AnnotationsRepository {
  constructor(private readonly db: Database) {}

  async set(input: {
    projectId: number
    textId: number
    labelIds: number[]
    annotator: string
  }): Promise<AnnotationDto | undefined> {
    const { projectId, textId, labelIds: after, annotator } = input
    return this.db
      .transaction((): AnnotationDto | undefined => {
        if (projectOfText(this.db, textId) !== projectId) return undefined
        const before = currentLabelIds(this.db, textId)
        if (sameIds(before, after)) {
          return { textId, labelIds: after, revision: currentRevision(this.db, textId) }
        }
        discardRedoStack(this.db, projectId)
        const revision = insertHistory(this.db, {
          projectId,
          textId,
          action: 'set',
          before,
          after,
          targetId: null,
          annotator,
        })
        writeState(this.db, projectId, textId, after, revision, annotator, after.length > 0)
        writeAudit(this.db, annotator, 'label.set', projectId, {
          textId,
          labelIds: after,
          revision,
        })
        return { textId, labelIds: after, revision }
      })
      .immediate()
  }

  async skip(input: { projectId: number; textId: number; actor: string }): Promise<boolean> {
    const { projectId, textId, actor } = input
    return this.db
      .transaction(() => {
        if (projectOfText(this.db, textId) !== projectId) return false
        markSkipped(this.db, projectId, textId, actor)
        writeAudit(this.db, actor, 'label.skip', projectId, { textId })
        return true
      })
      .immediate()
  }

  async step(input: {
    projectId: number
    action: 'undo' | 'redo'
    actor: string
  }): Promise<AnnotationDto | null> {
    const { projectId, action, actor } = input
    return this.db
      .transaction((): AnnotationDto | null => {
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
          annotator: actor,
        })
        setUndoState(this.db, target.id, action === 'undo' ? UndoState.undone : UndoState.done)
        writeState(
          this.db,
          projectId,
          target.text_id,
          labelIds,
          revision,
          actor,
          labelIds.length > 0,
        )
        writeAudit(this.db, actor, action === 'undo' ? 'label.undo' : 'label.redo', projectId, {
          textId: target.text_id,
          labelIds,
          revision,
          target: target.id,
        })
        return { textId: target.text_id, labelIds, revision }
      })
      .immediate()
  }

  async stats(projectId: number): Promise<LabelStatsDto> {
    return labelStats(this.db, projectId)
  }
}

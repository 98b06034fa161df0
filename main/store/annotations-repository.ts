// Label writes behind an async interface — set, skip, undo/redo over an annotator's history — and
// label counts. Each write is one method: one transaction with its history and audit entries. A
// write changes the annotator's own row, then re-resolves the text's gold label (issue #12).
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
  type HistoryRow,
} from './annotations-repo'
import { ownLabelIds, resolveText, sameIds, writeAnnotatorRow } from './annotator-labels-repo'
import { writeAudit } from './audit'
import { projectOfText } from './texts-repo'

export interface AnnotationsRepository {
  /**
   * Replaces `annotator`'s own labels on the text with `labelIds` (sorted, already checked
   * against the project), records the change in the history and the audit log, clears their
   * redo stack and re-resolves the text's gold label. Returns the annotator's own labels (with
   * one annotator: the text's labels). Setting the labels they already have changes nothing and
   * returns the text's current revision. Undefined when the text is not (any longer) in `projectId`.
   */
  set(input: {
    projectId: number
    textId: number
    labelIds: number[]
    annotator: string
  }): Promise<AnnotationDto | undefined>
  /** Marks the text skipped and audits it; false when the text is not (any longer) in `projectId`. */
  skip(input: { projectId: number; textId: number; actor: string }): Promise<boolean>
  /**
   * Reverts `annotator`'s latest change in the project not undone yet, or re-applies their
   * latest undone one; null if none. `actor` is who the audit log records.
   */
  step(input: {
    projectId: number
    action: 'undo' | 'redo'
    actor: string
    annotator: string
  }): Promise<AnnotationDto | null>
  stats(projectId: number): Promise<LabelStatsDto>
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
        const before = ownLabelIds(this.db, textId, annotator)
        // Clearing a text nobody labelled is no change (as before several annotators): an empty
        // row of theirs would not vote, and no reference label is there for it to hide.
        const unchanged =
          before === null
            ? after.length === 0 && currentLabelIds(this.db, textId).length === 0
            : sameIds(before, after)
        if (unchanged) {
          return { textId, labelIds: after, revision: currentRevision(this.db, textId) }
        }
        discardRedoStack(this.db, projectId, annotator)
        const revision = insertHistory(this.db, {
          projectId,
          textId,
          action: 'set',
          before,
          after,
          targetId: null,
          annotator,
        })
        writeAnnotatorRow(this.db, {
          projectId,
          textId,
          annotator,
          labelIds: after,
          origin: 'local',
          at: new Date().toISOString(),
        })
        resolveText(this.db, projectId, textId, revision, annotator)
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
    annotator: string
  }): Promise<AnnotationDto | null> {
    const { projectId, action, actor, annotator } = input
    return this.db
      .transaction((): AnnotationDto | null => {
        const target: HistoryRow | undefined =
          action === 'undo'
            ? undoCandidate(this.db, projectId, annotator)
            : redoCandidate(this.db, projectId, annotator)
        if (!target) return null
        // null: the annotator had no row before that change, so undoing it removes their row.
        const labelIds = JSON.parse(
          action === 'undo' ? target.before_label_ids : target.after_label_ids,
        ) as number[] | null
        const textId = target.text_id
        const before = ownLabelIds(this.db, textId, annotator)
        const revision = insertHistory(this.db, {
          projectId,
          textId,
          action,
          before,
          after: labelIds,
          targetId: target.id,
          annotator,
        })
        setUndoState(this.db, target.id, action === 'undo' ? UndoState.undone : UndoState.done)
        writeAnnotatorRow(this.db, {
          projectId,
          textId,
          annotator,
          labelIds,
          origin: 'local',
          at: new Date().toISOString(),
        })
        resolveText(this.db, projectId, textId, revision, annotator)
        writeAudit(this.db, actor, action === 'undo' ? 'label.undo' : 'label.redo', projectId, {
          textId,
          labelIds: labelIds ?? [],
          revision,
          target: target.id,
        })
        return { textId, labelIds: labelIds ?? [], revision }
      })
      .immediate()
  }

  async stats(projectId: number): Promise<LabelStatsDto> {
    return labelStats(this.db, projectId)
  }
}

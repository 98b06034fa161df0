// Who is labelling (profiles), a project's double-annotation and label-policy settings, and each
// annotator's share and progress (issue #12 points 1 and 2).
import { CtsError } from '../shared'
import type { HandlersOf, ValidArgs } from '../../preload/contract'
import type {
  AnnotationProgressDto,
  AnnotationSettingsDto,
  AnnotatorProgressDto,
  AnnotatorsDto,
  AnnotatorsResults,
} from '../../preload/contract/annotators'
import type { Repositories } from '../store/repositories'
import {
  assignmentKey,
  assignmentRows,
  doneBy,
  inShare,
  projectAssignment,
} from './annotation-assignment'
import type { ProjectsService } from './projects-service'
import type { LabelStatsDto } from '../../preload/contract/labels'
import { textNotFound } from './label-ids'

/**
 * Whom a label write without an explicit annotator is recorded under: the current profile, else
 * the operating-system user (`actor`, boot's default) until a profile is chosen.
 */
export async function currentAnnotator(
  repos: Pick<Repositories, 'annotators'>,
  actor: string,
): Promise<string> {
  return (await repos.annotators.current()) ?? actor
}

/**
 * Writes the project's text_assignments from its settings and texts: on a team workspace they
 * decide what each annotator's login can read and label. Called after every change that can move
 * them (settings saved, texts imported; a package only labels texts already there). It reads
 * again after writing and writes again when another lead's change committed in between, so the
 * last writer never leaves rows computed from what was current before it.
 */
export async function refreshAssignments(
  repos: Pick<Repositories, 'annotators'>,
  projectId: number,
): Promise<void> {
  let written: string | undefined
  for (let attempt = 0; attempt < 5; attempt++) {
    const settings = await repos.annotators.settings(projectId)
    // Without a team nobody is assigned anything, whatever the texts.
    const texts = settings.team.length > 0 ? await repos.annotators.textHashes(projectId) : []
    const key = assignmentKey(texts, settings)
    if (key === written) return
    const rows = assignmentRows(projectAssignment(texts, settings))
    await repos.annotators.replaceAssignments(projectId, rows)
    written = key
  }
}

/**
 * Refuses a lead's step, before any work, in an annotator's session of a team workspace (where
 * the login is the annotator): `what` says what was refused, in a clinician's words.
 */
export async function requireLeadHere(
  repos: Pick<Repositories, 'annotators'>,
  what: string,
): Promise<void> {
  if ((await repos.annotators.loginIdentity()) !== null)
    throw new CtsError(
      'team-forbidden',
      `Your team role does not allow this: ${what}. Ask a lead of the team workspace.`,
    )
}

/**
 * textNotFound, except that an annotator's session of a team workspace is told that only the
 * texts assigned to them exist for them (without saying whether this one exists at all).
 */
export async function textNotFoundHere(
  repos: Pick<Repositories, 'annotators'>,
  textId: number,
): Promise<CtsError> {
  const login = await repos.annotators.loginIdentity()
  if (login === null) return textNotFound(textId)
  return new CtsError(
    'not-found',
    `Text ${textId} is not one of the texts assigned to you ("${login}"), or it does not exist. Ask a lead of the team workspace if you should label it.`,
  )
}

/** A 'bad-input' about one setting; the path lets a form or a CLI flag name the field. */
function settingError(path: string, message: string): CtsError {
  return new CtsError('bad-input', message, {
    issues: [{ path: [path], message, fromSchema: false }],
  })
}

/** The merged settings after checking the combinations the schema cannot check alone. */
export function checkedSettings(settings: AnnotationSettingsDto): AnnotationSettingsDto {
  // One name twice would take two places among an overlap text's annotators.
  const team = [...new Set(settings.team.map((n) => n.trim()))]
  if (settings.tiePolicy === 'annotator' && !settings.tieAnnotator) {
    throw settingError(
      'tieAnnotator',
      'tieAnnotator: ties are settled by one annotator’s label, so choose that annotator.',
    )
  }
  if (team.length > 0 && settings.overlap > 0 && settings.overlapAnnotators > team.length) {
    throw settingError(
      'overlapAnnotators',
      `overlapAnnotators: each double-annotated text goes to ${settings.overlapAnnotators} annotators, ` +
        `but the team has ${team.length} (${team.join(', ')}). Add team members or lower the number.`,
    )
  }
  return { ...settings, team }
}

type AnnotatorsCallName = keyof AnnotatorsResults

export class AnnotatorsService {
  constructor(
    private readonly repos: Pick<Repositories, 'annotators' | 'queue'>,
    private readonly projects: ProjectsService,
    /** The operating-system user: offered as the first profile, and the default annotator. */
    private readonly actor: string,
  ) {}

  /** current profile ?? OS user: whom label writes without an explicit annotator belong to. */
  async currentAnnotator(): Promise<string> {
    return currentAnnotator(this.repos, this.actor)
  }

  async list(): Promise<AnnotatorsDto> {
    const [current, profiles] = await Promise.all([
      this.repos.annotators.current(),
      this.repos.annotators.profiles(),
    ])
    return { current, osUser: this.actor, profiles }
  }

  /** Chooses the profile (created when new) that later label writes are recorded under. */
  async use(name: string): Promise<AnnotatorsDto> {
    await this.repos.annotators.use(name.trim(), this.actor)
    return this.list()
  }

  async settings(projectId: number): Promise<AnnotationSettingsDto> {
    await this.projects.require(projectId)
    return this.repos.annotators.settings(projectId)
  }

  /** Changes the given settings, keeps the others; the repository re-resolves every gold label. */
  async setSettings(args: ValidArgs<'annotation/setSettings'>): Promise<AnnotationSettingsDto> {
    const { projectId, ...given } = args
    const current = await this.settings(projectId)
    await requireLeadHere(
      this.repos,
      'changing a project’s team, double annotation or label policy',
    )
    const changes = Object.fromEntries(
      Object.entries(given).filter(([, v]) => v !== undefined),
    ) as Partial<AnnotationSettingsDto>
    const next = checkedSettings({ ...current, ...changes })
    await this.repos.annotators.setSettings(projectId, next, this.actor)
    await refreshAssignments(this.repos, projectId)
    return this.repos.annotators.settings(projectId)
  }

  /**
   * Per annotator: their share (all texts without a team) and how much of it they are done with
   * (with a team, doneBy: their own label, or the gold label of a text nobody must label twice;
   * without one, their own labels), and the same for the double-annotated texts. Without a team, everyone with a profile or with labels in the
   * project is listed.
   */
  async progress(projectId: number): Promise<AnnotationProgressDto> {
    const { settings, texts, assigned, gold } = await this.projectState(projectId)
    const rows = await this.repos.annotators.rows(projectId)
    const labelledBy = new Set<string>()
    const labellers = new Map<number, number>()
    for (const r of rows) {
      if (r.labelIds.length === 0) continue
      labelledBy.add(r.annotator)
      labellers.set(r.textId, (labellers.get(r.textId) ?? 0) + 1)
    }
    const team = settings.team.length > 0
    const names = team ? settings.team : await this.knownAnnotators(labelledBy)
    const perAnnotator: AnnotatorProgressDto[] = []
    for (const annotator of names) {
      const p: AnnotatorProgressDto = {
        annotator,
        assigned: 0,
        done: 0,
        overlapAssigned: 0,
        overlapDone: 0,
      }
      const share = texts.filter((t) => inShare(assigned.get(t.id)!, annotator, settings))
      const own = await this.repos.annotators.ownLabels(
        projectId,
        annotator,
        share.map((t) => t.id),
      )
      for (const t of share) {
        const a = assigned.get(t.id)!
        // With a team: nothing left for them (doneBy). Without one everyone's share is every
        // text, so progress is what they labelled themselves, not the others' work.
        const mine = own.get(t.id)
        const done = team ? doneBy(mine, gold.has(t.id), a.overlap) : (mine?.length ?? 0) > 0
        p.assigned += 1
        if (done) p.done += 1
        if (a.overlap) {
          p.overlapAssigned += 1
          if (done) p.overlapDone += 1
        }
      }
      perAnnotator.push(p)
    }
    return {
      texts: texts.length,
      overlapTexts: [...assigned.values()].filter((a) => a.overlap).length,
      multiplyAnnotated: [...labellers.values()].filter((n) => n >= 2).length,
      perAnnotator,
    }
  }

  /**
   * The labelling sidebar's counts as `annotator` sees them in a project with a team: their share,
   * what they are done with (doneBy) and the labels they see there (their own; the gold label
   * where that is what counts). The gold counts would reveal what the others chose on blinded
   * texts. Null without a team: everyone labels every text and the gold counts are the progress.
   */
  async statsFor(projectId: number, annotator: string): Promise<LabelStatsDto | null> {
    const { settings, texts, assigned, gold } = await this.projectState(projectId)
    if (settings.team.length === 0) return null
    const name = annotator.trim()
    const [states, labels] = await Promise.all([
      this.repos.queue.states(projectId),
      this.projects.get(projectId).then((p) => p.labels),
    ])
    const share = texts.filter((t) => assigned.get(t.id)!.annotators.includes(name))
    const own = await this.repos.annotators.ownLabels(
      projectId,
      name,
      share.map((t) => t.id),
    )
    const skipped = new Set(states.filter((s) => s.skipped).map((s) => s.id))
    const perLabel = new Map(labels.map((l) => [l.id, 0]))
    let labelled = 0
    let skippedCount = 0
    for (const t of share) {
      const mine = own.get(t.id)
      const overlap = assigned.get(t.id)!.overlap
      if (!doneBy(mine, gold.has(t.id), overlap)) {
        if (skipped.has(t.id)) skippedCount += 1
        continue
      }
      labelled += 1
      for (const labelId of mine ?? gold.get(t.id)!)
        perLabel.set(labelId, (perLabel.get(labelId) ?? 0) + 1)
    }
    return {
      total: share.length,
      labelled,
      skipped: skippedCount,
      perLabel: [...perLabel].map(([labelId, count]) => ({ labelId, count })),
    }
  }

  /** The project's settings, texts with their assignment, and gold labels. */
  private async projectState(projectId: number) {
    const settings = await this.settings(projectId)
    const [texts, gold] = await Promise.all([
      this.repos.annotators.textHashes(projectId),
      this.repos.annotators.goldLabels(projectId),
    ])
    return { settings, texts, assigned: projectAssignment(texts, settings), gold }
  }

  /** Chosen profiles and everyone with labels in the project, by name. */
  private async knownAnnotators(labelled: Iterable<string>): Promise<string[]> {
    const profiles = (await this.repos.annotators.profiles())
      .filter((p) => p.createdAt !== null)
      .map((p) => p.name)
    return [...new Set([...profiles, ...labelled])].sort((a, b) => a.localeCompare(b))
  }

  handlers(): HandlersOf<AnnotatorsCallName> {
    return {
      'annotators/list': async () => this.list(),
      'annotators/use': async ({ name }) => this.use(name),
      'annotation/settings': async ({ projectId }) => this.settings(projectId),
      'annotation/setSettings': async (a) => this.setSettings(a),
      'annotation/progress': async ({ projectId }) => this.progress(projectId),
    }
  }
}

// Resolves 'default' for a project or a set of texts: counts the CJK characters of (a seeded sample
// of) the texts and asks each installed model's tokenizer which of them it knows (model-choice.ts).
import { CtsError } from '../shared'
import type { HandlersOf } from '../../preload/contract'
import {
  type ModelCandidateDto,
  type ModelChoiceDto,
  type ModelChoiceRecord,
} from '../../preload/contract/model-choice'
import type { InstallableModelDto, ModelSummaryDto } from '../../preload/contract/models'
import type { Repositories } from '../store/repositories'
import { countCjk, modelUnknownTest, unkShareOf, type CjkCounts } from '../ml/tokenize/cjk-coverage'
import { CHINESE_MODEL_HINT, chooseDefault, isChineseCapable, sampleIndices } from './model-choice'

/** The part of the models service the choice needs (its list, broken folders flagged). */
export interface ModelLister {
  list(): Promise<ModelSummaryDto[]>
  /** The pinned installable models (their install command), where the lister knows them. */
  installable?(): Pick<InstallableModelDto, 'id' | 'command'>[]
}

/** A decision plus where the chosen model's folder is (for training; not sent to the renderer). */
export interface ResolvedChoice {
  choice: ModelChoiceDto
  dir: string | null
  record: ModelChoiceRecord
}

export class ModelChoiceService {
  constructor(
    private readonly models: ModelLister,
    /** A project's texts; without it only texts handed in can be decided for. */
    private readonly store?: Pick<Repositories, 'textSample'>,
  ) {}

  /** The decision for texts handed in directly (a training file). */
  async forTexts(texts: readonly string[]): Promise<ResolvedChoice> {
    const picked = sampleIndices(texts.length).map((i) => texts[i])
    return this.decide(countCjk(picked), picked.length, texts.length)
  }

  /** The decision for a project: its texts (labelled or not), as the train view shows it. */
  async forProject(projectId: number): Promise<ResolvedChoice> {
    if (!this.store)
      throw new CtsError('internal', 'Choosing a model for a project needs the workspace.')
    const sample = await this.store.textSample.textSample(projectId, (n) => sampleIndices(n))
    if (!sample) throw new CtsError('not-found', `Project ${projectId} does not exist (any more).`)
    return this.decide(countCjk(sample.texts), sample.texts.length, sample.total)
  }

  /** 'models/chooseDefault' for the train view. */
  handlers(): HandlersOf<'models/chooseDefault'> {
    return {
      'models/chooseDefault': async ({ projectId }) => {
        return (await this.forProject(projectId)).choice
      },
    }
  }

  private installCommand(): string | undefined {
    try {
      return this.models.installable?.().find((m) => m.id === CHINESE_MODEL_HINT.model)?.command
    } catch {
      return undefined // a broken lock file: the generic command is shown instead
    }
  }

  private async decide(
    counts: CjkCounts,
    textsSampled: number,
    textsTotal: number,
  ): Promise<ResolvedChoice> {
    const usable = (await this.models.list()).filter((m) => !m.problem && m.tokenizer !== null)
    const candidates: ModelCandidateDto[] = []
    for (const m of usable) {
      let share: number | null
      try {
        share = counts.cjk === 0 ? null : unkShareOf(counts, await modelUnknownTest(m.dir))
      } catch {
        continue // a tokenizer that cannot be loaded cannot be trained with either
      }
      candidates.push({
        id: m.id,
        name: m.name,
        unkShare: share,
        chineseCapable: isChineseCapable(share),
      })
    }
    const bundled = usable.find((m) => m.source === 'bundled')
    const choice = chooseDefault({
      counts,
      textsSampled,
      textsTotal,
      bundled: bundled ? { id: bundled.id, name: bundled.name } : null,
      candidates,
      installCommand: this.installCommand(),
    })
    const chosen = usable.find((m) => m.id === choice.chosen.id)
    const record: ModelChoiceRecord = {
      requested: 'default',
      resolved: choice.chosen.name,
      rule: choice.chosen.rule,
      reason: choice.chosen.reason,
      reasonZh: choice.chosen.reasonZh,
      cjkShare: choice.cjkShare,
      unkShare: candidates.find((c) => c.id === choice.chosen.id)?.unkShare ?? null,
      textsSampled,
    }
    return { choice, dir: chosen?.dir ?? null, record }
  }
}

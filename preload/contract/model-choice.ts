// Which base model 'default' resolves to for a project ('models/chooseDefault'): Chinese texts get
// a Chinese-capable model when one is installed. Types and the argument schema only.
import { z } from 'zod'
import { idSchema } from './common'

/**
 * Why the model was chosen: 'chinese' (≥ 30 % CJK characters, a Chinese-capable model installed),
 * 'no-chinese-model' (≥ 30 % CJK, none installed: the bundled model), 'not-chinese' (< 30 % CJK),
 * 'no-texts' (nothing to count yet).
 */
export type ModelChoiceRule = 'chinese' | 'no-chinese-model' | 'not-chinese' | 'no-texts'

/** An installed model judged against the texts. */
export interface ModelCandidateDto {
  /** What 'training/start' takes as config.model ('default' for the bundled model). */
  id: string
  name: string
  /**
   * Share of the texts' CJK character occurrences its tokenizer does not know: [UNK], or (byte-level
   * BPE) split into byte pieces; each distinct character is tokenized alone once. Null when the
   * texts have no CJK character.
   */
  unkShare: number | null
  /** unkShare ≤ 5 %. */
  chineseCapable: boolean
}

export interface ModelChoiceDto {
  /** CJK (Han) characters / non-whitespace characters of the texts looked at. */
  cjkShare: number
  /** CJK character occurrences counted. */
  cjkCharacters: number
  /** Texts looked at: all up to 2,000, else a seeded sample of 2,000 (textsTotal = all). */
  textsSampled: number
  textsTotal: number
  chosen: {
    id: string
    name: string
    rule: ModelChoiceRule
    /** One sentence for a clinician: the shares and what else is installed. */
    reason: string
    reasonZh: string
  }
  /** Usable installed models, best coverage of the texts' CJK characters first. */
  candidates: ModelCandidateDto[]
  /** Set when the texts are Chinese and no installed model is Chinese-capable. */
  installHint?: { model: string; command: string; importCommand: string }
}

/** What a run records in config.modelChoice when config.model was 'default'. */
export interface ModelChoiceRecord {
  requested: 'default'
  /** The resolved model's name (also the run's baseModel). */
  resolved: string
  rule: ModelChoiceRule
  reason: string
  reasonZh: string
  cjkShare: number
  /** The resolved model's [UNK] share of the CJK characters (null: no CJK characters). */
  unkShare: number | null
  textsSampled: number
}

export const modelChoiceArgs = {
  /** The base model 'default' means for this project's texts, and why. */
  'models/chooseDefault': z.object({ projectId: idSchema }).strict(),
}

export interface ModelChoiceResults {
  'models/chooseDefault': ModelChoiceDto
}

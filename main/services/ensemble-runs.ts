// Ensemble runs: a kept run (model_kind 'ensemble') whose model mixes the probabilities of member
// runs by weight (main/ml/infer/ensemble-bundle.ts). The members stay runs of their own, so a run
// an ensemble uses cannot be deleted before the ensemble; weighing on dev lives here too.
import { relative } from 'node:path'
import {
  BUNDLE_META,
  CtsError,
  DATASET_ARTIFACT,
  DATASET_SUMMARY_ARTIFACT,
  DEV_PREDICTIONS_ARTIFACT,
} from '../shared'
import type { EvaluationDto, RunDto } from '../../preload/contract/training'
import { toEvaluationDto } from '../jobs/train-job'
import { argmaxRows, classificationReport } from '../ml/eval/metrics'
import { ENSEMBLE_FORMAT, mixProbabilities, type EnsembleMeta } from '../ml/infer/ensemble-bundle'
import type { RunsService } from './runs-service'

/** config.ensemble of an ensemble run. */
export interface EnsembleRunConfig {
  members: { runId: number; weight: number; kind: 'baseline' | 'bert'; baseModel: string }[]
  /** The fine-tuned (last) member's weight w: p = w × p(fine-tuned) + (1 − w) × p(baseline). */
  weight: number
  /** Scored on the dev texts with the mixed probabilities. */
  dev: EvaluationDto
}

/** A candidate's probabilities on dev (dev-predictions.json), rows in the run's label order. */
export interface DevPredictions {
  yTrue: number[]
  probs: number[][]
}

export interface WeighedEnsemble {
  /** Dev macro-F1 at each weight of the fine-tuned member. */
  curve: { weight: number; devMacroF1: number }[]
  /** The first weight with the best dev macro-F1, and that score. */
  weight: number
  devMacroF1: number
}

/** The ensemble settings of a run, or null for a run that is not an ensemble. */
export function ensembleConfig(run: RunDto): EnsembleRunConfig | null {
  return run.modelKind === 'ensemble' ? (run.config.ensemble as EnsembleRunConfig) : null
}

export async function readDevPredictions(
  runs: RunsService,
  runId: number,
): Promise<DevPredictions> {
  // A team workspace: the run's folder checked (and filled) from the database first.
  await runs.localRunDir(runId)
  return JSON.parse(runs.readArtifact(runId, DEV_PREDICTIONS_ARTIFACT).toString('utf8'))
}

/** (1 − w) × baseline + w × tuned, row by row (what the ensemble bundle computes). */
export function mixRows(baseline: number[][], tuned: number[][], w: number): number[][] {
  const k = baseline[0]?.length ?? 0
  const flat = mixProbabilities(
    [baseline.flat(), tuned.flat()],
    [1 - w, w],
    [[...Array(k).keys()], [...Array(k).keys()]],
    k,
  )
  return baseline.map((_, i) => Array.from(flat.subarray(i * k, i * k + k)))
}

/** Dev macro-F1 of the mix at every weight; the best is the first weight reaching the maximum. */
export function weighOnDev(
  baseline: DevPredictions,
  tuned: DevPredictions,
  k: number,
  weights: readonly number[],
): WeighedEnsemble {
  const classes = [...Array(k).keys()]
  const curve = weights.map((w) => {
    const mixed = mixRows(baseline.probs, tuned.probs, w)
    const report = classificationReport(baseline.yTrue, argmaxRows(mixed.flat(), k), classes)
    return { weight: w, devMacroF1: report.macro.f1 }
  })
  const top = curve.reduce((x, y) => (y.devMacroF1 > x.devMacroF1 ? y : x))
  return { curve, weight: top.weight, devMacroF1: top.devMacroF1 }
}

/**
 * The ensemble wins only when it is a real mix (0 < w < 1) and strictly better on dev than the
 * best single candidate: a tie keeps the simpler single model.
 */
export function ensembleWins(e: WeighedEnsemble, bestSingle: number): boolean {
  return e.weight > 0 && e.weight < 1 && e.devMacroF1 > bestSingle
}

/**
 * Records the ensemble of `baseline` and `tuned` with the tuned member's weight `w` as a finished
 * run (not yet scored on test): model.json naming the members, the members' split texts, and its
 * dev predictions and dev metrics.
 */
export async function createEnsembleRun(
  runs: RunsService,
  o: { baseline: RunDto; tuned: RunDto; weight: number; studyId?: number; candidate?: string },
): Promise<RunDto> {
  const { baseline, tuned, weight: w } = o
  for (const m of [baseline, tuned]) {
    if (m.status !== 'success' || m.modelKind === 'ensemble') {
      throw new CtsError(
        'bad-input',
        `Run ${m.id} cannot be an ensemble member: only finished baseline or fine-tuned runs can.`,
      )
    }
  }
  if (
    baseline.dataHash !== tuned.dataHash ||
    baseline.labels.join('\u0000') !== tuned.labels.join('\u0000')
  ) {
    throw new CtsError(
      'bad-input',
      `Runs ${baseline.id} and ${tuned.id} were trained on different texts or labels; only runs of the same data can form an ensemble.`,
    )
  }
  // Both members' folders checked here (readDevPredictions): the split texts below are tuned's.
  const a = await readDevPredictions(runs, baseline.id)
  const b = await readDevPredictions(runs, tuned.id)
  const k = baseline.labels.length
  const probs = mixRows(a.probs, b.probs, w)
  const report = classificationReport(a.yTrue, argmaxRows(probs.flat(), k), [...Array(k).keys()])
  const members: EnsembleRunConfig['members'] = [
    { runId: baseline.id, weight: 1 - w, kind: kindOf(baseline), baseModel: baseline.baseModel },
    { runId: tuned.id, weight: w, kind: kindOf(tuned), baseModel: tuned.baseModel },
  ]
  const ensemble: EnsembleRunConfig = {
    members,
    weight: w,
    dev: toEvaluationDto(report, baseline.labels),
  }
  const runId = await runs.create({
    projectId: tuned.projectId,
    ...(o.studyId !== undefined ? { studyId: o.studyId } : {}),
    modelKind: 'ensemble',
    baseModel: 'ensemble',
    labels: baseline.labels,
    config: {
      ...(o.candidate ? { candidate: o.candidate } : {}),
      recipe: tuned.config.recipe ?? 'auto',
      // One line for the report and the card's readers: which runs, which weights.
      mix: members
        .map((m) => `run ${m.runId} (${m.baseModel}) × ${Number(m.weight.toFixed(6))}`)
        .join(' + '),
      // A research-only base model binds whatever predicts with it, the ensemble too.
      ...(tuned.config.baseModelLicence ? { baseModelLicence: tuned.config.baseModelLicence } : {}),
      ensemble,
    },
    dataHash: tuned.dataHash,
    seed: tuned.seed,
    // Same texts as its members (checked above), so the same labels' provenance.
    labelProvenance: tuned.labelProvenance ?? null,
  })
  try {
    const dir = runs.runDir(runId)
    const meta: EnsembleMeta = {
      format: ENSEMBLE_FORMAT,
      labels: baseline.labels,
      members: members.map((m) => ({
        runId: m.runId,
        dir: relative(dir, runs.runDir(m.runId)),
        weight: m.weight,
        kind: m.kind,
        baseModel: m.baseModel,
      })),
    }
    runs.writeArtifact(runId, BUNDLE_META, JSON.stringify(meta, null, 2))
    // The members' exact split texts (the test-run job and the evaluation read them from here).
    for (const f of [DATASET_ARTIFACT, DATASET_SUMMARY_ARTIFACT])
      runs.writeArtifact(runId, f, runs.readArtifact(tuned.id, f))
    runs.writeArtifact(runId, DEV_PREDICTIONS_ARTIFACT, JSON.stringify({ yTrue: a.yTrue, probs }))
    // A team workspace keeps its files too (issue #17 point 6); its members' are stored already.
    await runs.publish(runId)
    await runs.finish(runId, {
      status: 'success',
      provider: tuned.provider,
      // What it took to train: both members.
      trainSeconds: (baseline.trainSeconds ?? 0) + (tuned.trainSeconds ?? 0),
    })
  } catch (err) {
    await runs.finish(runId, {
      status: 'error',
      error: { code: 'internal', message: err instanceof Error ? err.message : String(err) },
    })
    throw err
  }
  return runs.get(runId)
}

function kindOf(run: RunDto): 'baseline' | 'bert' {
  return run.modelKind === 'baseline' ? 'baseline' : 'bert'
}

// A study the ensemble wins, through the real training service and job processes (baseline + the
// tiny BERT on noise labels, so neither member is perfect on dev): once both finished, their dev
// predictions are replaced by ones a mix gets all right (baseline right on one half, the BERT on
// the other). The ensemble becomes a kept run, wins, is scored on test once; predicting, serving
// and exporting it give the members' probabilities mixed by weight; its members cannot be deleted.
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEV_PREDICTIONS_ARTIFACT, TEST_PREDICTIONS_ARTIFACT } from '../../../main/shared'
import { loadClassifierBundle } from '../../../main/ml/infer/classifier-bundle'
import { buildReportModel } from '../../../main/reports/report-model'
import { reportInputFromRun } from '../../../main/reports/run-artifacts'
import { loadRunPredictor } from '../../../main/serve/predictor'
import { readEvaluationInputs } from '../../../main/services/evaluation-service'
import { ENSEMBLE_METHOD, PredictionsService } from '../../../main/services/predictions-service'
import { StudyService } from '../../../main/services/study-service'
import { bertEpochClock, fixedEstimator, tinyBertWorkspace } from './tiny-bert-run'

const { ws, modelDir, services } = tinyBertWorkspace('cts-ensemble-study-')

const clock = bertEpochClock(ws.db)
const estimator = fixedEstimator

/** Texts with labels drawn at random (a fixed LCG): no model can be right on all dev texts. */
function noiseData() {
  let s = 7
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const words = ['fever', 'cough', 'rash', 'pain', 'nausea', 'fatigue', 'headache', 'chills']
  const split = (n: number, offset: number, balanced: boolean) => {
    const texts: string[] = []
    const labels: number[] = []
    for (let i = 0; i < n; i++) {
      const w = [0, 1, 2].map(() => words[Math.floor(next() * words.length)])
      texts.push(`patient ${offset + i} reports ${w.join(' and ')}`)
      labels.push(balanced ? i % 2 : next() < 0.5 ? 0 : 1)
    }
    return { texts, labels }
  }
  return {
    labels: ['healthy', 'ill'],
    train: split(40, 0, false),
    dev: split(8, 100, true),
    test: split(6, 200, true),
  }
}

/** Dev probabilities of [healthy, ill] with `pTrue` on the true label. */
const row = (truth: number, pTrue: number) =>
  truth === 0 ? [pTrue, 1 - pTrue] : [1 - pTrue, pTrue]

const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length)
  a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-6))
}

describe('a study the ensemble wins', () => {
  it('keeps the ensemble as the winning run, tests only it, and predicts, serves and exports its mix', async () => {
    const { runs, jobs, training } = services()
    const rewrite = (studyId: number) => {
      const rows = ws.db
        .prepare('SELECT id, model_kind FROM runs WHERE study_id = ?')
        .all(studyId) as { id: number; model_kind: string }[]
      for (const r of rows) {
        const path = join(runs.runDir(r.id), DEV_PREDICTIONS_ARTIFACT)
        const { yTrue } = JSON.parse(readFileSync(path, 'utf8')) as { yTrue: number[] }
        const half = (i: number) => i < yTrue.length / 2
        // Baseline: sure and right on the first half, wrong on the second; the BERT the reverse.
        const probs = yTrue.map((t, i) =>
          r.model_kind === 'baseline' ? row(t, half(i) ? 0.8 : 0.38) : row(t, half(i) ? 0.3 : 0.85),
        )
        writeFileSync(path, JSON.stringify({ yTrue, probs }))
      }
    }
    const s = new StudyService(training, runs, jobs, ws.repos, {
      now: clock,
      estimator,
      pretrained: async () => [{ model: modelDir, name: 'tiny-bert', dir: modelDir }],
      onMessage: (studyId, m) => {
        if (/^tiny-bert lr 1e-4: dev macro-F1 /.test(m)) rewrite(studyId)
      },
    })
    const config = { model: 'default', seed: 3, device: 'cpu' as const, maxLength: 16 }
    const started = await s.start(noiseData(), { ...config, batchSize: 8, budgetMinutes: 0.5 })
    const result = await started.done
    jobs.dispose()
    expect(result.status).toBe('success')
    expect(result.candidates.map((c) => [c.label, c.kind, c.status])).toEqual([
      ['baseline', 'baseline', 'success'],
      ['tiny-bert lr 1e-4', 'bert', 'success'],
      ['tiny-bert lr 5e-5', 'bert', 'skipped'],
      ['ensemble (baseline + tiny-bert lr 1e-4)', 'ensemble', 'success'],
    ])
    const [base, bert, , ens] = result.candidates
    expect(base.devMacroF1!).toBeLessThan(1)
    expect(bert.devMacroF1!).toBeLessThan(1)
    expect(ens).toMatchObject({ devMacroF1: 1, learningRate: null, model: 'ensemble' })
    expect(ens.runId).not.toBeNull()
    const best = [base, bert].reduce((a, b) => (b.devMacroF1! > a.devMacroF1! ? b : a))
    const f = (x: number) => x.toFixed(4)
    expect(result.ensemble).toMatchObject({
      members: [base.runId, bert.runId],
      weight: 0.3,
      devMacroF1: 1,
      chosen: true,
      runId: ens.runId,
    })
    expect(result.ensemble!.note).toBe(
      `ensemble chosen: dev macro-F1 1.0000 at weight 0.3 beats ${best.label} (${f(best.devMacroF1!)}) by ${f(1 - best.devMacroF1!)}; kept as run ${ens.runId}`,
    )
    expect(ens.note).toBe(result.ensemble!.note)
    expect(result.winnerRunId).toBe(ens.runId)
    expect(result.testScoredBy).toBe(ens.runId)
    expect(result.reason).toBe(
      `ensemble (baseline + tiny-bert lr 1e-4) had the best dev macro-F1 (1.0000), ahead of ${best.label} (${f(best.devMacroF1!)}) among 3 candidates.`,
    )

    // The ensemble run: kept in the study, its dev metrics and predictions, scored on test once.
    const run = await runs.get(ens.runId!)
    expect(run).toMatchObject({
      modelKind: 'ensemble',
      baseModel: 'ensemble',
      studyId: started.studyId,
      status: 'success',
      labels: ['healthy', 'ill'],
      epochs: [],
    })
    expect(run.config.ensemble).toMatchObject({
      members: [
        { runId: base.runId, weight: 0.7, kind: 'baseline' },
        { runId: bert.runId, weight: 0.3, kind: 'bert' },
      ],
      weight: 0.3,
      dev: { accuracy: 1, macro_f1: 1 },
    })
    expect(run.test).not.toBeNull()
    for (const id of [base.runId!, bert.runId!]) expect((await runs.get(id)).test).toBeNull()
    expect(() => runs.readArtifact(base.runId!, TEST_PREDICTIONS_ARTIFACT)).toThrow()
    const devMix = JSON.parse(runs.readArtifact(run.id, DEV_PREDICTIONS_ARTIFACT).toString())
    close(devMix.probs[0], [0.7 * 0.8 + 0.3 * 0.3, 0.7 * 0.2 + 0.3 * 0.7])

    // Test predictions (and the bundle) are the members' probabilities mixed 0.7 / 0.3.
    const texts = noiseData().test.texts
    const probsOf = async (dir: string) => {
      const m = await loadClassifierBundle(dir)
      const p = Array.from(await m.predict(texts))
      await m.release()
      return p
    }
    const pb = await probsOf(runs.runDir(base.runId!))
    const pt = await probsOf(runs.runDir(bert.runId!))
    const mix = pb.map((p, i) => 0.7 * p + 0.3 * pt[i])
    close(await probsOf(runs.runDir(run.id)), mix)
    const tested = JSON.parse(runs.readArtifact(run.id, TEST_PREDICTIONS_ARTIFACT).toString())
    close(tested.probs.flat(), mix)
    const evaluation = await readEvaluationInputs(runs, run.id)
    expect(evaluation.texts).toEqual(texts)
    // The report: its model section says what it is and how it mixes.
    const report = buildReportModel(
      reportInputFromRun(run, evaluation.datasetJson, evaluation.predictionsJson),
    )
    expect(report.model).toMatchObject({ kind: 'ensemble', baseModel: 'ensemble' })
    expect(report.model.hyperparameters.mix).toBe(
      `run ${base.runId} (baseline) × 0.7 + run ${bert.runId} (${(await runs.get(bert.runId!)).baseModel}) × 0.3`,
    )

    // Predicting one text: the mix of the members' predictions; no token attributions.
    const predictions = new PredictionsService(runs, jobs)
    const one = await predictions.predictText(run.id, texts[0])
    const [a, b] = [
      await predictions.predictText(base.runId!, texts[0]),
      await predictions.predictText(bert.runId!, texts[0]),
    ]
    close(
      one.probabilities.map((p) => p.p),
      a.probabilities.map((p, i) => 0.7 * p.p + 0.3 * b.probabilities[i].p),
    )
    expect(one).toMatchObject({ runId: run.id, tokens: [], method: ENSEMBLE_METHOD })
    close(
      one.probabilities.map((p) => p.p),
      mix.slice(0, 2),
    )

    // Served: the HTTP server's predictor loads both members and mixes them.
    const served = await loadRunPredictor(ws.home, run.id)
    close((await served.predict(texts)).flat(), mix)
    await served.release()

    // Exported: both members' exports, and how to mix them.
    const out = join(tmpdir(), `cts-ensemble-export-${process.pid}-${Date.now()}`)
    const exported = await predictions.exportModel(run.id, out)
    expect(exported.files.filter((f) => !f.startsWith('member-'))).toEqual([
      'MODEL_CARD.md',
      'inference.json',
      'labels.json',
    ])
    expect(exported.files).toContain('member-1-baseline/model.onnx')
    expect(exported.files).toContain('member-2-bert/model.onnx')
    expect(exported.files).toContain('member-2-bert/tokenizer.json')
    const inference = JSON.parse(readFileSync(join(out, 'inference.json'), 'utf8'))
    expect(inference).toMatchObject({
      kind: 'ensemble',
      labels: ['healthy', 'ill'],
      members: [
        { folder: 'member-1-baseline', runId: base.runId, weight: 0.7 },
        { folder: 'member-2-bert', runId: bert.runId, weight: 0.3 },
      ],
    })
    for (const [folder, id] of [
      ['member-1-baseline', base.runId!],
      ['member-2-bert', bert.runId!],
    ] as const) {
      // The member's own graph, byte for byte (Buffer.equals: toEqual walks 8 MB element-wise).
      const same = readFileSync(join(out, folder, 'model.onnx')).equals(
        readFileSync(join(runs.runDir(id), 'model.onnx')),
      )
      expect(same).toBe(true)
    }
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')
    expect(card).toContain(`# Model card — Clinical Text Studio run ${run.id} (ensemble)`)
    expect(card).toContain(
      '- Probabilities: 0.7 × probs(member-1-baseline) + 0.3 × probs(member-2-bert)',
    )
    const zipped = await predictions.exportModel(run.id)
    expect(zipped.files).toEqual(exported.files)
    await predictions.dispose()

    // Members cannot go before the ensemble; nothing to resume in an ensemble.
    await expect(runs.delete(base.runId!, 'test')).rejects.toThrow(
      `Run ${base.runId} is a member of ensemble run ${run.id}, which predicts with its model; delete run ${run.id} first.`,
    )
    await expect(training.resume(run.id)).rejects.toThrow(
      `Run ${run.id} is an ensemble; it has no training to resume.`,
    )
    expect((await runs.get(base.runId!)).status).toBe('success')
    await runs.delete(run.id, 'test')
    expect(await runs.delete(base.runId!, 'test')).toEqual({ deleted: base.runId })
  }, 240_000)
})

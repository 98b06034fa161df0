import { join } from 'node:path'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import { buildTrainStep } from '../../main/ml/train/train-step'
import * as ort from 'onnxruntime-node'
const mb = () => Math.round(process.memoryUsage().rss / 1048576) + 'MB ext=' + Math.round(process.memoryUsage().arrayBuffers / 1048576)
console.log('start', mb())
const a = await createBertAdapter(join(process.cwd(), 'resources/models/all-MiniLM-L6-v2'), { numClasses: 2, maxLength: 128 })
console.log('adapter', mb())
const g = a.graph
const { model } = buildTrainStep({ inputs: [...g.batchInputs, g.labels, g.dropoutSeed], sharedInputs: [g.classWeights], loss: g.loss, trainable: g.trainable, decayMask: g.decayMask, clipNorm: 1 })
console.log('built', mb(), 'model bytes', Math.round(model.length / 1048576))
const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' })
console.log('session', mb())
const s2 = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, graphOptimizationLevel: 'basic' })
console.log('session2 (basic)', mb())

// Emits the training-step model: forward + loss + backward + clipping + AdamW as one ONNX graph,
// or K such steps inside an ONNX Loop so parameters cross the host boundary once per K steps.
import {
  type DType,
  type Dim,
  type Tensor,
  DEFAULT_OPSET,
  add,
  cast,
  gather,
  grad,
  lowerGraph,
  nameOf,
  tensorProto,
  valueInfo,
} from '../graph'
import { encodeModel, type GraphProtoObj, type NodeObj } from '../graph/onnx-proto'
import { ADAMW_DEFAULTS, adamwUpdate, globalNorm } from './adamw-graph'

export interface TrainStepOptions {
  /** Per-step inputs (ids, mask, labels, dropout seed …); for K > 1 fed stacked along a new K axis. */
  inputs: Tensor[]
  /** Inputs fed once per call and shared by all K steps (class weights). */
  sharedInputs?: Tensor[]
  loss: Tensor
  /** Also output these logits (of the last step when stepsPerCall > 1). */
  logits?: Tensor
  trainable: Tensor[]
  /** AdamW weight decay per trainable param; false for bias and LayerNorm weights. */
  decayMask: boolean[]
  beta1?: number
  beta2?: number
  eps?: number
  /** Global-norm clipping (default 1.0); 0 or Infinity turns it off. */
  clipNorm?: number
  /** > 1: K steps inside one ONNX Loop; batch inputs and lr get a leading K axis. */
  stepsPerCall?: number
  opset?: number
}

/** Names of one trainable param's ONNX inputs and outputs. */
export interface ParamIO {
  /** The param's name (graph.param name). */
  name: string
  shape: number[]
  /** Inputs: current value, AdamW first and second moments (same shape; zeros at the start). */
  input: string
  m: string
  v: string
  /** Outputs: the updated value and moments, to feed back next call. */
  output: string
  mOut: string
  vOut: string
}

/**
 * The exact input/output names of a train-step model.
 * Inputs: every batch input (for K > 1 stacked along a new leading K axis: step i of the call uses
 * slice i, so the K batches share one padded length), every shared input (as declared), every
 * param's value/m/v, `step` (float32 scalar: the 1-based index t of the first
 * update in this call; AdamW bias correction uses t, t+1, … t+K-1), `lr` (float32 scalar, or [K]
 * for K > 1, so a per-step schedule applies), `weight_decay` (float32 scalar).
 * Outputs: `loss` (scalar, or [K]), `grad_norm` (global L2 norm before clipping; scalar or [K]),
 * `logits` (of the last step) when requested, and every param's updated value/m/v.
 * A non-finite loss in any of the K steps poisons the outputs: keep the inputs and discard them.
 */
export interface TrainStepIO {
  stepsPerCall: number
  batchInputs: { name: string; dtype: DType; shape: Dim[] }[]
  /** Fed as declared, once per call, whatever K is. */
  sharedInputs: { name: string; dtype: DType; shape: Dim[] }[]
  params: ParamIO[]
  step: string
  lr: string
  weightDecay: string
  loss: string
  gradNorm: string
  logits?: string
}

export function trainStepIO(opts: TrainStepOptions): TrainStepIO {
  const k = opts.stepsPerCall ?? 1
  return {
    stepsPerCall: k,
    batchInputs: opts.inputs.map((t) => ({
      name: nameOf(t),
      dtype: t.dtype,
      shape: k > 1 ? [k, ...t.shape] : [...t.shape],
    })),
    sharedInputs: (opts.sharedInputs ?? []).map((t) => ({
      name: nameOf(t),
      dtype: t.dtype,
      shape: [...t.shape],
    })),
    params: opts.trainable.map((p) => {
      const name = nameOf(p)
      return {
        name,
        shape: p.shape as number[],
        input: name,
        m: `m/${name}`,
        v: `v/${name}`,
        output: `new/${name}`,
        mOut: `new_m/${name}`,
        vOut: `new_v/${name}`,
      }
    }),
    step: 'step',
    lr: 'lr',
    weightDecay: 'weight_decay',
    loss: 'loss',
    gradNorm: 'grad_norm',
    logits: opts.logits ? 'logits' : undefined,
  }
}

interface StepTensors {
  m: Tensor[]
  v: Tensor[]
  outputs: { name: string; tensor: Tensor }[]
}

/** The IR of one step: grads, clipping, AdamW; lr, t and weight decay given as tensors. */
function stepGraph(
  opts: TrainStepOptions,
  io: TrainStepIO,
  lr: Tensor,
  t: Tensor,
  wd: Tensor,
  names: (n: string) => string,
): StepTensors {
  const g = opts.loss.graph
  const grads = grad(opts.loss, opts.trainable)
  const clipped = globalNorm(grads, opts.clipNorm ?? ADAMW_DEFAULTS.clipNorm)
  const m: Tensor[] = []
  const v: Tensor[] = []
  const upd: { name: string; tensor: Tensor }[] = []
  const scal = {
    lr,
    t,
    beta1: opts.beta1 ?? ADAMW_DEFAULTS.beta1,
    beta2: opts.beta2 ?? ADAMW_DEFAULTS.beta2,
    eps: opts.eps ?? ADAMW_DEFAULTS.eps,
  }
  const newM: { name: string; tensor: Tensor }[] = []
  const newV: { name: string; tensor: Tensor }[] = []
  opts.trainable.forEach((p, i) => {
    const pio = io.params[i]
    const mi = g.input(pio.m, 'float32', p.shape as number[])
    const vi = g.input(pio.v, 'float32', p.shape as number[])
    m.push(mi)
    v.push(vi)
    const r = adamwUpdate(p, grads[i], clipped.squared[i], mi, vi, {
      ...scal,
      clipCoef: clipped.coef,
      weightDecay: opts.decayMask[i] ? wd : null,
    })
    upd.push({ name: names(pio.output), tensor: r.p })
    newM.push({ name: names(pio.mOut), tensor: r.m })
    newV.push({ name: names(pio.vOut), tensor: r.v })
  })
  const outputs = [
    ...upd,
    ...newM,
    ...newV,
    { name: names(io.loss), tensor: opts.loss },
    { name: names(io.gradNorm), tensor: clipped.norm },
  ]
  if (opts.logits) outputs.push({ name: names('logits'), tensor: opts.logits })
  return { m, v, outputs }
}

/** Build the train-step model (ModelProto bytes) and the names of its inputs and outputs. */
export function buildTrainStep(opts: TrainStepOptions): { model: Uint8Array; io: TrainStepIO } {
  if (opts.decayMask.length !== opts.trainable.length) {
    throw new Error('buildTrainStep: decayMask needs one entry per trainable param')
  }
  const opset = opts.opset ?? DEFAULT_OPSET
  const io = trainStepIO(opts)
  const g = opts.loss.graph
  const k = io.stepsPerCall
  const shared = opts.sharedInputs ?? []
  if (k <= 1) {
    const lr = g.input(io.lr, 'float32', [])
    const t = g.input(io.step, 'float32', [])
    const wd = g.input(io.weightDecay, 'float32', [])
    const st = stepGraph(opts, io, lr, t, wd, (n) => n)
    const graph = lowerGraph({
      name: 'train_step',
      opset,
      inputs: [...opts.inputs, ...shared, ...opts.trainable, ...st.m, ...st.v, t, lr, wd],
      outputs: st.outputs,
    })
    return { model: encodeModel(graph, opset), io }
  }
  return { model: encodeModel(loopGraph(opts, io, k, opset), opset), io }
}

const BODY = 'body/'

/** K steps inside one Loop: params and moments are loop-carried, losses are scan outputs. */
function loopGraph(
  opts: TrainStepOptions,
  io: TrainStepIO,
  k: number,
  opset: number,
): GraphProtoObj {
  const g = opts.loss.graph
  // Values the body reads from the outer graph by name.
  const iter = g.input(`${BODY}iter`, 'int64', [])
  const lrAll = g.input(io.lr, 'float32', [k])
  const step0 = g.input(io.step, 'float32', [])
  const wd = g.input(io.weightDecay, 'float32', [])
  const stacked = opts.inputs.map((x, i) =>
    g.input(io.batchInputs[i].name, x.dtype, io.batchInputs[i].shape),
  )
  const substitute = new Map(opts.inputs.map((x, i) => [x, gather(stacked[i], iter, 0)]))
  const t = add(step0, cast(iter, 'float32'))
  const lr = gather(lrAll, iter, 0)
  const st = stepGraph(opts, io, lr, t, wd, (n) => BODY + n)
  const outerScope = new Map<Tensor, string>([
    [iter, `${BODY}iter`],
    [lrAll, io.lr],
    [step0, io.step],
    [wd, io.weightDecay],
    ...stacked.map((s, i): [Tensor, string] => [s, io.batchInputs[i].name]),
    ...(opts.sharedInputs ?? []).map((s): [Tensor, string] => [s, nameOf(s)]),
  ])
  const body = lowerGraph({
    name: 'train_step_body',
    opset,
    prefix: BODY,
    inputs: [...opts.trainable, ...st.m, ...st.v],
    outputs: st.outputs,
    outerScope,
    substitute,
    leadingInputs: [valueInfo(`${BODY}iter`, 'int64', []), valueInfo(`${BODY}cond`, 'bool', [])],
    leadingOutputs: [valueInfo(`${BODY}cond_out`, 'bool', [])],
    extraNodes: [
      {
        name: `${BODY}cond_out`,
        op_type: 'Identity',
        input: [`${BODY}cond`],
        output: [`${BODY}cond_out`],
      },
    ],
  })
  const carriedIn = [
    ...io.params.map((p) => p.input),
    ...io.params.map((p) => p.m),
    ...io.params.map((p) => p.v),
  ]
  const carriedOut = [
    ...io.params.map((p) => p.output),
    ...io.params.map((p) => p.mOut),
    ...io.params.map((p) => p.vOut),
  ]
  const scanOut = [io.loss, io.gradNorm, ...(opts.logits ? ['logits_all'] : [])]
  const nodes: NodeObj[] = [
    {
      name: 'train_loop',
      op_type: 'Loop',
      input: ['loop_k', '', ...carriedIn],
      output: [...carriedOut, ...scanOut],
      attribute: [{ name: 'body', type: 5, g: body }],
    },
  ]
  const initializer = [tensorProto('loop_k', [], 'int64', BigInt64Array.of(BigInt(k)))]
  if (opts.logits) {
    initializer.push(tensorProto('last_step', [], 'int64', BigInt64Array.of(BigInt(k - 1))))
    nodes.push({
      name: 'last_logits',
      op_type: 'Gather',
      input: ['logits_all', 'last_step'],
      output: ['logits'],
      attribute: [{ name: 'axis', type: 2, i: 0 }],
    })
  }
  const paramInfo = (name: (p: ParamIO) => string) =>
    io.params.map((p) => valueInfo(name(p), 'float32', p.shape))
  return {
    name: 'train_steps',
    node: nodes,
    initializer,
    input: [
      ...io.batchInputs.map((b) => valueInfo(b.name, b.dtype, b.shape)),
      ...io.sharedInputs.map((b) => valueInfo(b.name, b.dtype, b.shape)),
      ...paramInfo((p) => p.input),
      ...paramInfo((p) => p.m),
      ...paramInfo((p) => p.v),
      valueInfo(io.step, 'float32', []),
      valueInfo(io.lr, 'float32', [k]),
      valueInfo(io.weightDecay, 'float32', []),
    ],
    output: [
      ...paramInfo((p) => p.output),
      ...paramInfo((p) => p.mOut),
      ...paramInfo((p) => p.vOut),
      valueInfo(io.loss, 'float32', [k]),
      valueInfo(io.gradNorm, 'float32', [k]),
      ...(opts.logits ? [valueInfo('logits', 'float32', opts.logits.shape)] : []),
    ],
  }
}

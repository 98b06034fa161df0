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
  gatherRowsGrad,
  grad,
  lowerGraph,
  nameOf,
  tensorProto,
  valueInfo,
} from '../graph'
import { encodeModel, type GraphProtoObj, type NodeObj } from '../graph/onnx-proto'
import { ADAMW_DEFAULTS, adamwUpdate, globalNorm } from './adamw-graph'
import { sparseTables, type SparseTable } from './row-sparse-graph'

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
  /**
   * Feed large embedding tables with only the rows a call reads (row-sparse-graph.ts decides
   * which tables qualify); default off. Each such param's IO gets `rows` (see ParamIO).
   */
  sparseRows?: boolean
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
  /**
   * A row-sparse table (TrainStepOptions.sparseRows): value, moments and their outputs hold only
   * the rows fed, declared [dim, ...shape[1:]]; batch input `local` holds the batch's ids (input
   * `ids`) rewritten as positions in those rows. `shape` stays the full table's.
   */
  rows?: { dim: string; ids: string; local: string }
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

export function trainStepIO(opts: TrainStepOptions, sparse: SparseFeed[] = []): TrainStepIO {
  const k = opts.stepsPerCall ?? 1
  return {
    stepsPerCall: k,
    batchInputs: [...opts.inputs, ...sparse.map((x) => x.local)].map((t) => ({
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
      const table = sparse.find((x) => x.param === p)
      return {
        ...(table && {
          rows: { dim: `rows/${name}`, ids: nameOf(table.ids), local: nameOf(table.local) },
        }),
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

/** The shape a param is fed and returned in: a row-sparse table's only the rows fed. */
function fedShape(p: ParamIO): Dim[] {
  return p.rows ? [p.rows.dim, ...p.shape.slice(1)] : p.shape
}

/** A row-sparse table with the batch input of its local row positions. */
type SparseFeed = SparseTable & { local: Tensor }

function sparseFeeds(opts: TrainStepOptions): SparseFeed[] {
  if (!opts.sparseRows) return []
  const roots = opts.logits ? [opts.loss, opts.logits] : [opts.loss]
  return sparseTables(roots, opts.trainable, opts.inputs).map((t) => ({
    ...t,
    local: t.ids.graph.input(`rows/${nameOf(t.param)}`, 'int64', [...t.ids.shape]),
  }))
}

interface StepTensors {
  m: Tensor[]
  v: Tensor[]
  outputs: { name: string; tensor: Tensor }[]
  /** The fed-rows shapes of row-sparse tables, their moments and outputs (LowerOptions). */
  declaredShapes: Map<Tensor, Dim[]>
  /** Each row-sparse Gather replaced by one reading the fed rows at the local positions. */
  substitute: Map<Tensor, Tensor>
}

/** The IR of one step: grads, clipping, AdamW; lr, t and weight decay given as tensors. */
function stepGraph(
  opts: TrainStepOptions,
  io: TrainStepIO,
  lr: Tensor,
  t: Tensor,
  wd: Tensor,
  names: (n: string) => string,
  sparse: SparseFeed[],
): StepTensors {
  const g = opts.loss.graph
  const gathers = sparse.flatMap((x) => x.gathers)
  const all = grad(opts.loss, [...opts.trainable, ...gathers])
  const grads = all.slice(0, opts.trainable.length)
  const gatherGrads = new Map(gathers.map((r, i) => [r, all[opts.trainable.length + i]]))
  const substitute = new Map<Tensor, Tensor>()
  const declaredShapes = new Map<Tensor, Dim[]>()
  for (const x of sparse) {
    // The table's gradient, summed over its reads, scattered at the local positions into zeros of
    // the fed rows' shape (the full table's gradient is never built).
    const parts = x.gathers.map((r) => {
      substitute.set(r, gather(x.param, x.local, 0))
      return gatherRowsGrad(gatherGrads.get(r)!, x.param, x.local)
    })
    grads[opts.trainable.indexOf(x.param)] = parts.reduce((a, b) => add(a, b))
  }
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
    if (pio.rows) for (const t of [p, mi, vi, r.p, r.m, r.v]) declaredShapes.set(t, fedShape(pio))
  })
  const outputs = [
    ...upd,
    ...newM,
    ...newV,
    { name: names(io.loss), tensor: opts.loss },
    { name: names(io.gradNorm), tensor: clipped.norm },
  ]
  if (opts.logits) outputs.push({ name: names('logits'), tensor: opts.logits })
  return { m, v, outputs, declaredShapes, substitute }
}

/** Build the train-step model (ModelProto bytes) and the names of its inputs and outputs. */
export function buildTrainStep(opts: TrainStepOptions): { model: Uint8Array; io: TrainStepIO } {
  if (opts.decayMask.length !== opts.trainable.length) {
    throw new Error('buildTrainStep: decayMask needs one entry per trainable param')
  }
  const opset = opts.opset ?? DEFAULT_OPSET
  const sparse = sparseFeeds(opts)
  const io = trainStepIO(opts, sparse)
  const g = opts.loss.graph
  const k = io.stepsPerCall
  const shared = opts.sharedInputs ?? []
  if (k <= 1) {
    const lr = g.input(io.lr, 'float32', [])
    const t = g.input(io.step, 'float32', [])
    const wd = g.input(io.weightDecay, 'float32', [])
    const st = stepGraph(opts, io, lr, t, wd, (n) => n, sparse)
    const locals = sparse.map((x) => x.local)
    const graph = lowerGraph({
      name: 'train_step',
      opset,
      inputs: [
        ...opts.inputs,
        ...locals,
        ...shared,
        ...opts.trainable,
        ...st.m,
        ...st.v,
        t,
        lr,
        wd,
      ],
      outputs: st.outputs,
      declaredShapes: st.declaredShapes,
      substitute: st.substitute,
    })
    return { model: encodeModel(graph, opset), io }
  }
  return { model: encodeModel(loopGraph(opts, io, k, opset, sparse), opset), io }
}

const BODY = 'body/'

/** K steps inside one Loop: params and moments are loop-carried, losses are scan outputs. */
function loopGraph(
  opts: TrainStepOptions,
  io: TrainStepIO,
  k: number,
  opset: number,
  sparse: SparseFeed[],
): GraphProtoObj {
  const g = opts.loss.graph
  // Values the body reads from the outer graph by name.
  const iter = g.input(`${BODY}iter`, 'int64', [])
  const lrAll = g.input(io.lr, 'float32', [k])
  const step0 = g.input(io.step, 'float32', [])
  const wd = g.input(io.weightDecay, 'float32', [])
  const perStep = [...opts.inputs, ...sparse.map((x) => x.local)]
  const stacked = perStep.map((x, i) =>
    g.input(io.batchInputs[i].name, x.dtype, io.batchInputs[i].shape),
  )
  const t = add(step0, cast(iter, 'float32'))
  const lr = gather(lrAll, iter, 0)
  const st = stepGraph(opts, io, lr, t, wd, (n) => BODY + n, sparse)
  const substitute = new Map([
    ...st.substitute,
    ...perStep.map((x, i): [Tensor, Tensor] => [x, gather(stacked[i], iter, 0)]),
  ])
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
    declaredShapes: st.declaredShapes,
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
    io.params.map((p) => valueInfo(name(p), 'float32', fedShape(p)))
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

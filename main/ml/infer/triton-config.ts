// The config.pbtxt of an exported model for NVIDIA Triton Inference Server's onnxruntime backend:
// inputs and outputs read from the ONNX graph itself (names, element types, shapes), written in
// protobuf text format as Triton's ModelConfig message (model_config.proto) expects.
import { CtsError } from '../../shared'
import { decodeModel } from '../graph'
import type { ValueInfoObj } from '../graph/onnx-proto'

/** The largest batch Triton may form; the same bound as one `cts serve` predictor call is generous for CPU. */
export const TRITON_MAX_BATCH_SIZE = 64
/** Batch sizes Triton's dynamic batcher aims for (must not exceed TRITON_MAX_BATCH_SIZE). */
export const TRITON_PREFERRED_BATCH_SIZES = [16, 32] as const
/** How long a request may wait for others to share its batch: 2 ms, small beside a BERT forward pass. */
export const TRITON_MAX_QUEUE_DELAY_US = 2000
/** The labels file beside config.pbtxt, one label per line in output column order. */
export const TRITON_LABELS_FILE = 'labels.txt'

/** ONNX TensorProto element types → Triton DataType names (model_config.proto). */
const TRITON_TYPE: Record<number, string> = {
  1: 'TYPE_FP32',
  2: 'TYPE_UINT8',
  3: 'TYPE_INT8',
  5: 'TYPE_INT16',
  6: 'TYPE_INT32',
  7: 'TYPE_INT64',
  9: 'TYPE_BOOL',
  10: 'TYPE_FP16',
  11: 'TYPE_FP64',
}

export interface TritonTensor {
  name: string
  dataType: string
  /** Without the batch dimension (Triton adds it when max_batch_size > 0); -1 = variable. */
  dims: number[]
  labelFilename?: string
}

export interface TritonModelConfig {
  name: string
  inputs: TritonTensor[]
  outputs: TritonTensor[]
}

/** One graph input/output as a Triton tensor: the first (batch) dimension must be symbolic. */
function tensorOf(v: ValueInfoObj): TritonTensor {
  const t = v.type.tensor_type
  const dataType = TRITON_TYPE[t.elem_type]
  const dims = t.shape?.dim ?? []
  if (!dataType || dims.length < 1 || dims[0].dim_param === undefined) {
    // Only graphs cts itself built reach this; a mismatch means the exporter is out of date.
    throw new CtsError(
      'internal',
      `The model's ${v.name} (element type ${t.elem_type}, ${dims.length} dimensions) has no batch dimension Triton can batch over; the Triton layout was not written.`,
    )
  }
  return {
    name: v.name,
    dataType,
    dims: dims.slice(1).map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : -1)),
  }
}

/** Triton's view of an ONNX model's graph; the output named `probs` carries the labels file. */
export function tritonModelConfig(name: string, onnx: Uint8Array): TritonModelConfig {
  const g = decodeModel(onnx).graph
  return {
    name,
    inputs: g.input.map(tensorOf),
    outputs: g.output.map((o) => ({
      ...tensorOf(o),
      ...(o.name === 'probs' ? { labelFilename: TRITON_LABELS_FILE } : {}),
    })),
  }
}

function tensorText(t: TritonTensor): string {
  const lines = [
    `    name: ${JSON.stringify(t.name)}`,
    `    data_type: ${t.dataType}`,
    `    dims: [ ${t.dims.join(', ')} ]`,
  ]
  if (t.labelFilename) lines.push(`    label_filename: ${JSON.stringify(t.labelFilename)}`)
  return `  {\n${lines.join('\n')}\n  }`
}

/** config.pbtxt: protobuf text format of Triton's ModelConfig. */
export function tritonConfigText(c: TritonModelConfig): string {
  return [
    `# Triton model configuration written by Clinical Text Studio (cts export-model --triton).`,
    `# Inputs are token ids (or the baseline's feature ids): tokenise outside Triton, see README.txt.`,
    `name: ${JSON.stringify(c.name)}`,
    `platform: "onnxruntime_onnx"`,
    `backend: "onnxruntime"`,
    `# The batch dimension is implicit: dims below leave it out.`,
    `max_batch_size: ${TRITON_MAX_BATCH_SIZE}`,
    `input [\n${c.inputs.map(tensorText).join(',\n')}\n]`,
    `output [\n${c.outputs.map(tensorText).join(',\n')}\n]`,
    `# Requests are merged only when their inputs have the same shape: pad every text to the`,
    `# model's maximum length (README.txt) so that any requests can share a batch.`,
    `dynamic_batching {`,
    `  preferred_batch_size: [ ${TRITON_PREFERRED_BATCH_SIZES.join(', ')} ]`,
    `  max_queue_delay_microseconds: ${TRITON_MAX_QUEUE_DELAY_US}`,
    `}`,
    `# On an NVIDIA GPU use instead: instance_group [ { count: 1 kind: KIND_GPU gpus: [ 0 ] } ]`,
    `instance_group [\n  {\n    count: 1\n    kind: KIND_CPU\n  }\n]`,
    ``,
  ].join('\n')
}

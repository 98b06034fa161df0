// What defines an op of the IR: its shape/dtype rule, how it is written to ONNX, and its
// vector-Jacobian product — or an explicit reason why no gradient flows through it.
import type { Attrs, DType, Dim, Source, Tensor } from '../ir'
import type { NodeObj } from '../onnx-proto'

export type OpSource = Extract<Source, { kind: 'op' }>

/** The type of an op's output. */
export interface OutType {
  dtype: DType
  shape: readonly Dim[]
}

/**
 * The output's dtype and shape from the inputs and attributes; throws when the inputs do not fit.
 * `given` is the output shape as the caller knows it, for the few ops whose shape input is
 * computed at run time (Reshape, Expand, Pad, Range); other rules ignore it.
 */
export type ShapeRule = (inputs: readonly Tensor[], attrs: Attrs, given?: readonly Dim[]) => OutType

/** Gradients for each input (null: none flows there) given the output y and its gradient g. */
export type Vjp = (y: Tensor, g: Tensor, src: OpSource) => (Tensor | null)[]

/** How an op differs from the plain ONNX node (op type = the op's name, attrs as attributes). */
export interface OnnxSpec {
  /** From this opset on, the 'axes' attribute is passed as an int64 input instead. */
  axesAsInputSince?: number
  /** Attributes holding a DType, written as ONNX's TensorProto data type number. */
  dtypeAttrs?: readonly string[]
  /** The first ONNX opset that has the op (emitting at an older one fails clearly). */
  sinceOpset?: number
  /** Attributes written as FLOAT (a plain number attribute is written as INT). */
  floatAttrs?: readonly string[]
  /** The node also writes this many further outputs, named `<output>:1`, `<output>:2` … */
  extraOutputs?: number
  /**
   * Written as several nodes instead of one (input name, output name, a float scalar constant's
   * name) — an op with its own gradient whose forward pass is a pattern onnxruntime fuses.
   */
  expand?: (input: string, output: string, constant: (v: number) => string) => NodeObj[]
  /** No node of its own: names output `index` of the node that made its input (OutputOf). */
  alias?: boolean
}

interface OpBase {
  shape: ShapeRule
  onnx?: OnnxSpec
}

/** One op: a shape rule, its ONNX emission, and a VJP or the reason there is none. */
export type OpDef = OpBase &
  (
    | { vjp: Vjp; notDifferentiable?: never }
    | {
        /** Why no gradient flows (integer results, shapes, masks). */ notDifferentiable: string
        vjp?: never
      }
  )

/** Same dtype and shape as the first input (unary element-wise ops, softmax). */
export const sameAsInput: ShapeRule = ([x]) => ({ dtype: x.dtype, shape: x.shape })

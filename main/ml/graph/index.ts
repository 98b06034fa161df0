// Public API of the graph package: build tensors, differentiate, emit ONNX. See API.md.
export { type DType, type Dim, Graph, Tensor, numel, nameOf } from './ir'
export * from './ops'
export * from './nn'
export { grad, topoOrder } from './autodiff'
export { gatherRowsGrad } from './op-defs/gather-grad'
export { OPS, type OpType, opDef } from './op-defs/registry'
export type { OpDef, ShapeRule, Vjp, OnnxSpec } from './op-defs/op-def'
export {
  emitOnnx,
  lowerGraph,
  tensorProto,
  valueInfo,
  DEFAULT_OPSET,
  type EmitOptions,
  type LowerOptions,
} from './emit'
export { encodeModel, decodeModel } from './onnx-proto'

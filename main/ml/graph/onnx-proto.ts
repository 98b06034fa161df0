// Our transcription of the subset of onnx.proto (ONNX IR v8) that the emitter writes, encoded with
// protobufjs. Field numbers follow onnx/onnx.proto; only what we emit is declared.
import protobuf from 'protobufjs'

const ONNX_SUBSET = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  AttributeType type = 20;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string domain = 7;
}

message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}
`

const root = protobuf.parse(ONNX_SUBSET, { keepCase: true }).root
const ModelType = root.lookupType('onnx.ModelProto')

/** ONNX TensorProto.DataType codes for the dtypes we use. */
export const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7, bool: 9 } as const
/** ONNX AttributeProto.AttributeType codes. */
export const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, GRAPH: 5, INTS: 7 } as const

export interface TensorProtoObj {
  name: string
  dims: number[]
  data_type: number
  raw_data: Uint8Array
}
export interface AttributeObj {
  name: string
  type: number
  f?: number
  i?: number
  ints?: number[]
  s?: Uint8Array
  g?: GraphProtoObj
}
export interface NodeObj {
  name?: string
  op_type: string
  input: string[]
  output: string[]
  attribute?: AttributeObj[]
}
export interface DimObj {
  dim_value?: number
  dim_param?: string
}
export interface ValueInfoObj {
  name: string
  type: { tensor_type: { elem_type: number; shape?: { dim: DimObj[] } } }
}
export interface GraphProtoObj {
  name: string
  node: NodeObj[]
  initializer: TensorProtoObj[]
  input: ValueInfoObj[]
  output: ValueInfoObj[]
}

/** Serialise a graph into ModelProto bytes (ai.onnx at the given opset). */
export function encodeModel(graph: GraphProtoObj, opset: number): Uint8Array {
  const model = {
    ir_version: 8,
    producer_name: 'clinical-text-studio',
    producer_version: '0.1',
    opset_import: [{ domain: '', version: opset }],
    graph,
  }
  const err = ModelType.verify(model)
  if (err) throw new Error(`ONNX model does not fit the schema: ${err}`)
  return ModelType.encode(ModelType.fromObject(model)).finish()
}

/** Decode ModelProto bytes back into plain objects (tests and tooling). */
export function decodeModel(bytes: Uint8Array): {
  graph: GraphProtoObj
  opset_import: { version: number }[]
} {
  const msg = ModelType.decode(bytes)
  return ModelType.toObject(msg, { longs: Number, defaults: false, arrays: true }) as never
}

// The Linux GPU pack's files in lock order, written out once: what the lock must lay out, what an
// install leaves in the pack folder, and (its first eight) what a CUDA session start must map.
export const LINUX_PACK_FILES = [
  'onnxruntime_binding.node',
  'libonnxruntime.so.1',
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
  'libcublas.so.13',
  'libcublasLt.so.13',
  'libcudart.so.13',
  'libcurand.so.10',
  'libcufft.so.12',
  'libnvrtc.so.13',
  'libnvrtc-builtins.so.13.5',
  'libcudnn.so.9',
  'libcudnn_adv.so.9',
  'libcudnn_cnn.so.9',
  'libcudnn_engines_precompiled.so.9',
  'libcudnn_engines_runtime_compiled.so.9',
  'libcudnn_engines_tensor_ir.so.9',
  'libcudnn_ext.so.9',
  'libcudnn_graph.so.9',
  'libcudnn_heuristic.so.9',
  'libcudnn_ops.so.9',
]

/** ONNX Runtime's binding and libraries and the CUDA ones a session start loads first. */
export const SESSION_START_FILES = LINUX_PACK_FILES.slice(0, 8)

// onnxruntime-node sessions for the rest of ml/: provider choice, fallback, threads, cache.
export {
  type CreateSessionOptions,
  type DeviceChoice,
  type Provider,
  type SessionFactory,
  type SessionHandle,
  SessionProvider,
  createSession,
  cudaLibraryInstalled,
  defaultThreads,
  releaseSession,
} from './sessions'
export {
  type ProviderPlacement,
  placementFromProfile,
  placementLine,
  readPlacement,
} from './provider-placement'
export {
  detectWebGpuAdapter,
  hasHardwareWebGpuAdapter,
  webgpuAdapterIsSoftware,
} from './webgpu-adapter'

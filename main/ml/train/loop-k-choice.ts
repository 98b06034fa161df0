// How many optimiser steps one onnxruntime call runs on a GPU (K of the train-step ONNX Loop), chosen
// from the measured step time; and how many texts one prediction run takes on each provider.
//
// Why: onnxruntime-node copies every output back to the host after each run, so on CUDA a single
// step call moves all parameters and both AdamW moments in and out over the bus (MiniLM-L12: 33 M
// parameters × 3 tensors × 4 bytes ≈ 400 MB each way) while the step itself takes milliseconds.
// Running K steps inside one Loop pays that transfer once per K steps (graph-step-runner.ts).
//
// The rule (chooseLoopK), from t1 = seconds of one measured single-step call (the minimum of the
// first measured calls after a warm-up call, which includes kernel selection):
//   x  = estimated transfer seconds per call = 2 × stateBytes / BUS_BYTES_PER_SECOND, at most t1
//   c  = compute seconds per step = t1 − x, at least 5% of t1
//   K_call  = ceil((TARGET_CALL_SECONDS − x) / c)   one call lasts ≥ ~0.75 s, so the per-call cost
//                                                   (launch, feeds, read-back, JS) is amortised
//   K_amort = ceil(x / (MAX_TRANSFER_SHARE × c))   the transfer is at most 10% of the call's
//                                                   compute (K·c)
//   K = max(K_call, K_amort), then capped by MAX_LOOP_K (each K step of a group is padded to the
//   group's longest batch, so a huge K wastes compute on padding), by the steps in one epoch (a
//   group never spans epochs, and a K the epoch cannot fill would never be used), and by memory
//   for the K stacked batches (K × batchBytes ≤ BATCH_MEMORY_BYTES); at least 1, and 1 when the
//   cap leaves less than 2.
// On the CPU nothing is measured: the model family's default K stays (defaults.ts), as before.
import type { Provider } from '../runtime'

/** One Loop call should last at least this long (seconds). */
export const TARGET_CALL_SECONDS = 0.75
/** The host↔device transfer may be at most this share of a call's compute. */
export const MAX_TRANSFER_SHARE = 0.1
/** Pageable host memory over PCIe: a cautious effective rate (bytes/s). */
export const BUS_BYTES_PER_SECOND = 8e9
/** Upper bound on K (padding waste, graph size of the stacked feeds). */
export const MAX_LOOP_K = 32
/** Device memory allowed for the K stacked batch inputs. */
export const BATCH_MEMORY_BYTES = 256 * 1024 * 1024
/** Single-step calls timed before K is chosen (the first is a warm-up and is not used). */
export const MEASURED_STEPS = 3

export interface LoopKInput {
  /** Seconds of one single-step call, measured (warm). */
  stepSeconds: number
  /** Bytes of parameters + both AdamW moments (one direction). */
  stateBytes: number
  /** Bytes of one step's batch inputs (ids, masks, labels …). */
  batchBytes: number
  /** Optimiser steps in one epoch. */
  stepsPerEpoch: number
}

export interface LoopKChoice {
  k: number
  /** Which bound decided K, for logs and the bench: 'call', 'transfer', 'max', 'epoch', 'memory'. */
  bound: 'call' | 'transfer' | 'max' | 'epoch' | 'memory'
  transferSeconds: number
  computeSeconds: number
}

/** K from a measured step time (the rule in the header). */
export function chooseLoopK(i: LoopKInput): LoopKChoice {
  const t1 = Math.max(i.stepSeconds, 1e-6)
  const x = Math.min((2 * i.stateBytes) / BUS_BYTES_PER_SECOND, t1)
  const c = Math.max(t1 - x, 0.05 * t1)
  const kCall = Math.max(1, Math.ceil((TARGET_CALL_SECONDS - x) / c))
  const kAmort = Math.max(1, Math.ceil(x / (MAX_TRANSFER_SHARE * c)))
  let k = Math.max(kCall, kAmort)
  let bound: LoopKChoice['bound'] = kAmort > kCall ? 'transfer' : 'call'
  const caps: [number, LoopKChoice['bound']][] = [
    [MAX_LOOP_K, 'max'],
    [Math.max(1, Math.floor(i.stepsPerEpoch)), 'epoch'],
    [Math.max(1, Math.floor(BATCH_MEMORY_BYTES / Math.max(1, i.batchBytes))), 'memory'],
  ]
  for (const [cap, name] of caps) {
    if (k > cap) {
      k = cap
      bound = name
    }
  }
  return { k: k < 2 ? 1 : k, bound, transferSeconds: x, computeSeconds: c }
}

/** Whether K is measured and chosen for this provider (the GPU providers whose outputs are copied back). */
export function measuresLoopK(provider: Provider): boolean {
  return provider === 'cuda'
}

/** Texts per prediction run on a GPU at up to GPU_PREDICT_TOKENS / 256 tokens per text. */
export const GPU_PREDICT_BATCH = 256
/** Token budget of one GPU prediction run (256 texts × 128 tokens). */
export const GPU_PREDICT_TOKENS = GPU_PREDICT_BATCH * 128

/**
 * Texts per prediction run: on the CPU the caller's choice (small batches there save memory and
 * are no slower); on a GPU at least GPU_PREDICT_BATCH texts at 128 tokens, fewer for longer texts
 * (the same token budget), never fewer than the caller asked for.
 */
export function predictBatchSize(provider: string, requested: number, maxLength = 128): number {
  if (provider !== 'cuda' && provider !== 'webgpu') return requested
  const byTokens = Math.max(1, Math.floor(GPU_PREDICT_TOKENS / Math.max(1, maxLength)))
  return Math.max(requested, Math.min(GPU_PREDICT_BATCH, byTokens))
}

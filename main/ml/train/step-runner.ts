// Runs the emitted training-step graph: keeps parameters and AdamW moments on the host between
// calls, feeds batch + lr + step, reads back loss and the updated state.
import type * as ort from 'onnxruntime-node'
import type { CheckpointTensor } from './checkpoint'

export interface StepRunner {
  /** One optimiser step on a batch (feeds hold the batch inputs, labels, dropout seed, class weights). */
  step(feeds: Record<string, ort.Tensor>, learningRate: number): Promise<{ loss: number }>
  /** Steps per stepMany call (1, or absent: only step is available). */
  readonly stepsPerCall?: number
  /**
   * stepsPerCall optimiser steps in one call, on batches of identical dims (step i uses batch i
   * and learningRates[i]). A non-finite loss in any step discards the whole call.
   */
  stepMany?(
    batches: Record<string, ort.Tensor>[],
    learningRates: number[],
  ): Promise<{ losses: number[] }>
  /** Current parameter values by param name. */
  weights(): Map<string, Float32Array>
  /** Everything a resume needs (params and moments), by a stable name. */
  state(): Record<string, CheckpointTensor>
  load(state: Record<string, CheckpointTensor>): void
  /** Number of optimiser steps taken so far. */
  readonly steps: number
  /** Execution provider that actually ran. */
  readonly provider: string
  release(): Promise<void>
}

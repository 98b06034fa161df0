// The one home of training hyper-parameter defaults. BERT follows the reference fine-tuning recipe
// (lr 2e-5, batch 16, 5 epochs, max length 128); the baseline has its own, tuned on the
// medical-abstracts development data (it trains from scratch, so it wants a far larger lr).

export interface TrainingDefaults {
  learningRate: number
  batchSize: number
  epochs: number
  /** Tokens (BERT) or distinct n-grams (baseline) per text. */
  maxLength: number
  /** Fraction of all steps spent warming the learning rate up linearly from 0. */
  warmupRatio: number
  weightDecay: number
  /** Global gradient-norm clip. */
  clipNorm: number
  /** Epochs without a better dev macro-F1 before training stops. */
  patience: number
  dropout: number
  /** Padded lengths are rounded up to a multiple of this (bounds the shapes ORT sees). */
  lengthMultiple: number
  /**
   * onnxruntime intra-op threads for the train step (undefined: every core). Multi-threaded
   * kernels may sum in a different order from run to run (losses differ around the 4th decimal);
   * one thread makes a seed reproduce its loss curve exactly.
   */
  threads?: number
  /**
   * Optimiser steps per onnxruntime call (an ONNX Loop: weights cross into and out of ORT once per
   * K steps; same weights as K = 1). Pays off where the host copies weigh against the compute.
   */
  stepsPerCall: number
}

export const BERT_DEFAULTS: TrainingDefaults = {
  learningRate: 2e-5,
  batchSize: 16,
  epochs: 5,
  maxLength: 128,
  warmupRatio: 0.1,
  weightDecay: 0.01,
  clipNorm: 1.0,
  patience: 2,
  dropout: 0.1,
  lengthMultiple: 16,
  // MiniLM is compute-bound: K = 4 measured no faster than 1 (graph/API.md, speed notes).
  stepsPerCall: 1,
}

// The baseline is fitted to convergence (models/baseline-fit.ts): learning rate, epochs, warm-up,
// clipping, patience and dropout only apply to bundles of its first form, trained by the trainer.
// maxLength is the most distinct n-grams read per text: a 250-word abstract has ~1,400.
export const BASELINE_DEFAULTS: TrainingDefaults = {
  learningRate: 5e-2,
  batchSize: 64,
  epochs: 5,
  maxLength: 4096,
  warmupRatio: 0.1,
  weightDecay: 0,
  clipNorm: 5.0,
  patience: 2,
  dropout: 0.2,
  lengthMultiple: 64,
  // Measured here: one thread is both exactly reproducible and faster for this small model
  // (~1.1 s vs ~2 s per epoch on medical-abstracts).
  threads: 1,
  // Measured on medical-abstracts (cts train --model baseline): see the speed notes in graph/API.md.
  stepsPerCall: 8,
}

/** Baseline model shape: hash buckets, embedding width, char n-gram mode. */
export const BASELINE_MODEL_DEFAULTS = {
  buckets: 1 << 16,
  dim: 32,
  charNgrams: 'cjk' as const,
}

/** Default seed for splits, shuffling, dropout and initial weights. */
export const DEFAULT_SEED = 42

// The dropout seed of each optimiser step: a fresh, reproducible mask per step, independent of the
// shuffling stream. One formula, shared by the trainer and by the parity runs that hand our masks
// to PyTorch (test/parity/python/hash_dropout.py).

/** uint32 dropout seed of optimiser step `step` (0-based) of a run seeded with `runSeed`. */
export function stepDropoutSeed(runSeed: number, step: number): number {
  return (Math.imul(runSeed + 1, 0x9e3779b1) ^ (step + 1)) >>> 0
}

// Seeded prediction sets for the evaluation parity test: binary and multi-class, with many tied
// scores (quantised logits), a rare class, and the hand-made fixture in test/fixtures/eval/.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Rng } from '../../main/ml/train/rng'

export interface EvalCase {
  name: string
  yTrue: number[]
  probs: number[][]
}

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits)
  const e = logits.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

/**
 * n texts over k classes; the true class gets a logit boost of `signal`; logits are rounded to
 * 1/`steps` so that many texts share exactly the same probabilities (ties).
 */
function synth(
  name: string,
  seed: number,
  n: number,
  k: number,
  signal: number,
  steps: number,
  weights?: number[],
): EvalCase {
  const rng = new Rng(seed)
  const w = weights ?? new Array(k).fill(1)
  const total = w.reduce((a, b) => a + b, 0)
  const yTrue: number[] = []
  const probs: number[][] = []
  for (let i = 0; i < n; i++) {
    let u = rng.next() * total
    let y = 0
    while (u >= w[y] && y < k - 1) u -= w[y++]
    const logits = Array.from({ length: k }, (_, c) => {
      const raw = (rng.next() - 0.5) * 3 + (c === y ? signal : 0)
      return Math.round(raw * steps) / steps
    })
    yTrue.push(y)
    probs.push(softmax(logits))
  }
  return { name, yTrue, probs }
}

export function evalCases(): EvalCase[] {
  const fixture = JSON.parse(
    readFileSync(join(process.cwd(), 'test/fixtures/eval/ties.json'), 'utf8'),
  ) as EvalCase
  return [
    fixture,
    synth('binary, fine scores', 11, 240, 2, 1.2, 100),
    synth('binary, coarse ties', 12, 120, 2, 0.8, 2),
    synth('three classes, ties', 13, 300, 3, 1.5, 4),
    synth('four classes, one rare', 14, 200, 4, 1.0, 3, [5, 3, 2, 0.3]),
  ]
}

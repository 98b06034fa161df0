// Issue #3, point 10: fine-tune all-MiniLM-L6-v2 on medical-abstracts with our engine and with
// PyTorch + transformers — same de-duplicated seeded 80/10/10 split, recipe (lr 2e-5, batch 16,
// 5 epochs), max length 256 and seed — and print both test macro-F1 scores and whether they lie
// within 1.0 point. Not a CI test: on a 2-core CPU one seed takes ~45 minutes (see README.md here).
//
//   npm run parity:accuracy [-- --seed 42] [--seeds 3] [--shared-streams]
//
// It is the training benchmark (test/bench/train-bert.ts) with the protocol fixed, so the two
// engines are driven by one piece of code; only the PyTorch peer with dynamic padding runs.
// --shared-streams: the peer replays our batches, learning rates and dropout masks, so the two runs
// share every random draw and differ only in arithmetic (see README.md here).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { tsxExecArgv } from '../../../main/shared/tsx-exec-argv'

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    'shared-streams': { type: 'boolean', default: false },
  },
})
const bench = fileURLToPath(new URL('../../bench/train-bert.ts', import.meta.url))
const protocol = [
  ...['--train', '100000', '--dev', '100000', '--test', '100000'], // whole splits
  ...['--epochs', '5', '--max-length', '256', '--head', 'mean'],
  ...['--seeds', values.seeds, '--torch-padding', 'longest'],
  ...(values.seed === undefined ? [] : ['--seed', values.seed]), // default: the app's seed, 42
  ...(values['shared-streams'] ? ['--shared-streams'] : []),
]
// As `npm run bench:train` runs it (installed packages kept out of tsx's transform), so the peak
// RSS it prints compares with bench:train's.
const r = spawnSync(process.execPath, [...tsxExecArgv(), bench, ...protocol], { stdio: 'inherit' })
process.exit(r.status ?? 1)

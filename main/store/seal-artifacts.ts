// Encrypts the run artifacts that hold patient text or learned weights and are still plaintext
// (runs trained before the workspace was encrypted). Idempotent and per file atomic: encrypting the workspace runs it
// once, and every open of an encrypted workspace runs it again, so a run interrupted halfway is
// finished the next time.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import {
  BASELINE_VOCAB_FILE,
  BEST_CHECKPOINT,
  BUNDLE_MODEL,
  BUNDLE_MODEL_INT8,
  CHECKPOINTS_DIR,
  DATASET_ARTIFACT,
  LAST_CHECKPOINT,
} from '../shared'
import { encryptArtifact, isEncryptedArtifact } from '../shared/artifact-crypto'
import { writeFileAtomic } from '../shared/atomic-file'

/**
 * Run artifacts with patient text (the dataset snapshot) or learned from it (model, checkpoints,
 * the baseline's n-gram hashes);
 * every reader decrypts (RunsService.readArtifact, classifier-bundle, bundle-graph, model-export,
 * checkpoint). Paths relative to a run folder.
 */
export const SEALED_ARTIFACTS = [
  DATASET_ARTIFACT,
  BUNDLE_MODEL,
  BUNDLE_MODEL_INT8,
  BASELINE_VOCAB_FILE,
  join(CHECKPOINTS_DIR, LAST_CHECKPOINT),
  join(CHECKPOINTS_DIR, BEST_CHECKPOINT),
] as const

function headerIsEncrypted(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(64)
    const n = readSync(fd, head, 0, head.length, 0)
    return isEncryptedArtifact(head.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

/** Seals every plaintext SEALED_ARTIFACTS file under <runsDir>/<id>/; the number sealed. */
export function sealRunArtifacts(runsDir: string, artifactKey: Uint8Array): number {
  if (!existsSync(runsDir)) return 0
  let sealed = 0
  for (const run of readdirSync(runsDir, { withFileTypes: true })) {
    if (!run.isDirectory()) continue
    for (const name of SEALED_ARTIFACTS) {
      const path = join(runsDir, run.name, name)
      if (!existsSync(path) || headerIsEncrypted(path)) continue
      writeFileAtomic(path, encryptArtifact(artifactKey, readFileSync(path)))
      sealed += 1
    }
  }
  return sealed
}

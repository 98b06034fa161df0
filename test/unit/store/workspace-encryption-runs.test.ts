// Run folders of an encrypted workspace (issue #15 point 2): a baseline run trained on 100 texts
// leaves none of them in plaintext in any file (the dataset snapshot is an AES-256-GCM artifact),
// and the services still read the snapshot back. artifact-crypto.ts's file format, tampering.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { encryptWorkspaceAt, unlockWorkspace } from '../../../main/root/workspace-admin'
import { BUNDLE_MODEL, DATASET_ARTIFACT } from '../../../main/shared'
import { loadClassifierBundle } from '../../../main/ml/infer/classifier-bundle'
import { loadCheckpoint, saveCheckpoint } from '../../../main/ml/train/checkpoint'
import {
  decryptArtifact,
  encryptArtifact,
  isEncryptedArtifact,
  readArtifactFile,
  registerArtifactKey,
} from '../../../main/shared/artifact-crypto'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { forgetWorkspaceKeys } from '../../../main/store/workspace-key'
import { testModelChoice } from '../services/model-choice-fixture'

const realEntry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))
const LABELS = ['健康', '疾病']
const TEXTS = Array.from({ length: 100 }, (_, i) =>
  i % 2 === 0
    ? `Routine follow-up ${i}: blood pressure normal, no complaints, code RUN-${3000 + i}.`
    : `患者${i}号高热不退伴咳嗽咳痰，胸片提示肺炎，编号${4000 + i}。`,
)
const data = {
  labels: LABELS,
  train: { texts: TEXTS, labels: TEXTS.map((_, i) => i % 2) },
}
const config = { model: 'baseline', epochs: 2, batchSize: 8, seed: 5, device: 'cpu' as const }

const dirs: string[] = []
const open: Workspace[] = []
afterEach(() => {
  open.splice(0).forEach((w) => w.close())
  forgetWorkspaceKeys()
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }))
})

function allFiles(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(root, e.name)) : [join(root, e.name)],
  )
}
function textsFoundIn(root: string): string[] {
  const blobs = allFiles(root).map((f) => readFileSync(f))
  return TEXTS.filter((t) => blobs.some((b) => b.includes(Buffer.from(t, 'utf8'))))
}

async function trainIn(encrypted: boolean) {
  const home = mkdtempSync(join(tmpdir(), 'cts-enc-runs-'))
  dirs.push(home)
  if (encrypted) {
    encryptWorkspaceAt(home, 'run folder passphrase', 'tester', {
      cost: { N: 2 ** 12, r: 8, p: 1 },
    })
    unlockWorkspace(home, 'run folder passphrase')
  }
  const ws = openWorkspace(home)
  open.push(ws)
  const runs = new RunsService(ws.repos, ws.runsDir, ws.artifactKey)
  // As boot() makes it: job processes of an encrypted workspace get its artifact key at start.
  const jobs = new JobService({
    host: new ForkHost({ entry: realEntry }),
    publish: () => {},
    ...(ws.artifactKey ? { encryptedWorkspace: { home, artifactKey: ws.artifactKey } } : {}),
  })
  const training = new TrainingService(runs, jobs, ws.repos, {
    modelChoice: testModelChoice(ws.repos),
  })
  const run = await (await training.start(data, config)).done
  expect(run.status).toBe('success')
  return { home, ws, runs, runId: run.id }
}

describe('run folders of an encrypted workspace', () => {
  it('hold none of 100 training texts in plaintext; the snapshot reads back decrypted', async () => {
    const { home, ws, runs, runId } = await trainIn(true)
    const snapshot = readFileSync(join(runs.runDir(runId), DATASET_ARTIFACT))
    expect(isEncryptedArtifact(snapshot)).toBe(true)
    const input = JSON.parse(runs.readArtifact(runId, DATASET_ARTIFACT).toString('utf8')) as {
      train: { texts: string[] }
      test: { texts: string[] }
    }
    expect(input.train.texts.length + input.test.texts.length).toBeGreaterThan(80)
    // The weights too: the job process got the key in its start message and wrote them sealed.
    const modelFile = join(runs.runDir(runId), BUNDLE_MODEL)
    expect(isEncryptedArtifact(readFileSync(modelFile))).toBe(true)
    const model = await loadClassifierBundle(runs.runDir(runId))
    const probs = await model.predict([TEXTS[1], TEXTS[2]])
    await model.release()
    expect(probs).toHaveLength(4)
    expect(probs[1]).toBeGreaterThan(probs[0])
    ws.close()
    expect(textsFoundIn(home)).toEqual([])
  }, 120_000)

  it('the same search finds the texts in a plain workspace’s run folder (so it can fail)', async () => {
    const { home, runs, runId } = await trainIn(false)
    for (const f of [DATASET_ARTIFACT, BUNDLE_MODEL])
      expect(isEncryptedArtifact(readFileSync(join(runs.runDir(runId), f)))).toBe(false)
    expect(textsFoundIn(join(home, 'runs')).length).toBeGreaterThan(80)
  }, 120_000)
})

describe('encrypting a workspace that has runs', () => {
  it('seals the dataset snapshots of earlier runs: no text left, still readable', async () => {
    const { home, ws, runId } = await trainIn(false)
    ws.close()
    expect(textsFoundIn(home).length).toBeGreaterThan(80)
    encryptWorkspaceAt(home, 'run folder passphrase', 'tester', {
      cost: { N: 2 ** 12, r: 8, p: 1 },
    })
    expect(textsFoundIn(home)).toEqual([])
    unlockWorkspace(home, 'run folder passphrase')
    const again = openWorkspace(home)
    open.push(again)
    const runs = new RunsService(again.repos, again.runsDir, again.artifactKey)
    const input = JSON.parse(runs.readArtifact(runId, DATASET_ARTIFACT).toString('utf8')) as {
      train: { texts: string[] }
    }
    expect(input.train.texts.every((t) => TEXTS.includes(t))).toBe(true)
    // The earlier run's weights are sealed too, and still load.
    expect(isEncryptedArtifact(readFileSync(join(runs.runDir(runId), BUNDLE_MODEL)))).toBe(true)
    const model = await loadClassifierBundle(runs.runDir(runId))
    expect(await model.predict([TEXTS[0]])).toHaveLength(2)
    await model.release()
  }, 120_000)
})

describe('artifact-crypto', () => {
  const key = Buffer.alloc(32, 7)
  const other = Buffer.alloc(32, 8)

  it('round-trips; a changed byte, another key or no key fail with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-artifact-'))
    dirs.push(dir)
    const sealed = encryptArtifact(key, '病历 note ✓')
    expect(sealed.subarray(0, 4).toString('latin1')).toBe('CTSA')
    expect(sealed.length).toBe(4 + 1 + 12 + Buffer.byteLength('病历 note ✓') + 16)
    expect(decryptArtifact(key, sealed, 'x').toString('utf8')).toBe('病历 note ✓')
    // A fresh nonce every time.
    expect(encryptArtifact(key, 'same').equals(encryptArtifact(key, 'same'))).toBe(false)

    const flipped = Buffer.from(sealed)
    flipped[20] ^= 1
    expect(() => decryptArtifact(key, flipped, 'dataset.json')).toThrow(
      /dataset.json cannot be decrypted with this workspace's key/,
    )
    expect(() => decryptArtifact(other, sealed, 'dataset.json')).toThrow(/cannot be decrypted/)

    const file = join(dir, 'a.json')
    writeFileSync(file, sealed)
    expect(() => readArtifactFile(file, undefined)).toThrow(
      /is encrypted and the workspace is locked/,
    )
    writeFileSync(file, '{"plain":true}')
    expect(readArtifactFile(file, key).toString('utf8')).toBe('{"plain":true}')
  })

  it('seals checkpoints under a registered encrypted workspace, and only there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-ckpt-'))
    dirs.push(dir)
    const ckpt = {
      tensors: { w: { dims: [2], data: new Float32Array([1.5, -2]) } },
      state: { step: 3 },
    }
    saveCheckpoint(join(dir, 'plain.ckpt'), ckpt)
    expect(isEncryptedArtifact(readFileSync(join(dir, 'plain.ckpt')))).toBe(false)
    registerArtifactKey(join(dir, 'enc'), key)
    const sealedPath = join(dir, 'enc', 'runs', '1', 'last.ckpt')
    mkdirSync(join(dir, 'enc', 'runs', '1'), { recursive: true })
    saveCheckpoint(sealedPath, ckpt)
    expect(isEncryptedArtifact(readFileSync(sealedPath))).toBe(true)
    expect(loadCheckpoint(sealedPath)).toEqual(ckpt)
    expect(loadCheckpoint(join(dir, 'plain.ckpt'))).toEqual(ckpt)
  })
})

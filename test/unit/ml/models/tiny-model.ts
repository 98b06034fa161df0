// Test helper: writes a copy of test/fixtures/models/tiny-bert into a temp folder, with a small
// generated model.safetensors whose word embeddings match its config ([24, 4]).
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { f32Safetensors } from './safetensors-builder'

export const TINY_FIXTURE = join(process.cwd(), 'test/fixtures/models/tiny-bert')

export async function tempDir(prefix = 'cts-model-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export function tinyWeights(vocab = 24, hidden = 4): Uint8Array {
  const values = (n: number) => Array.from({ length: n }, (_, i) => (i % 7) / 10)
  return f32Safetensors({
    'embeddings.word_embeddings.weight': { shape: [vocab, hidden], values: values(vocab * hidden) },
    'embeddings.LayerNorm.weight': { shape: [hidden], values: values(hidden) },
  })
}

/** A valid tiny model folder; `dir` defaults to a fresh temp folder. */
export async function writeTinyModel(dir?: string): Promise<string> {
  const target = dir ?? join(await tempDir(), 'tiny-bert')
  await mkdir(target, { recursive: true })
  for (const f of ['config.json', 'vocab.txt', 'tokenizer_config.json', 'README.md']) {
    await copyFile(join(TINY_FIXTURE, f), join(target, f))
  }
  await writeFile(join(target, 'model.safetensors'), tinyWeights())
  return target
}

/** Adds sentence-transformers files declaring the given pooling modes. */
export async function addPooling(dir: string, modes: Record<string, boolean>): Promise<void> {
  await writeFile(
    join(dir, 'modules.json'),
    JSON.stringify([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ]),
  )
  await mkdir(join(dir, '1_Pooling'), { recursive: true })
  await writeFile(
    join(dir, '1_Pooling', 'config.json'),
    JSON.stringify({ word_embedding_dimension: 4, ...modes }),
  )
}

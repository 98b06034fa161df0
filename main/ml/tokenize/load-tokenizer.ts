// Loads a model folder's tokenizer from local files only: tokenizer.json when present (WordPiece,
// RoBERTa's byte-level BPE, XLM-RoBERTa's SentencePiece Unigram …), otherwise a BERT WordPiece
// tokenizer synthesised from vocab.txt (+ tokenizer_config.json).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PreTrainedTokenizer, env } from '@huggingface/transformers'
import { CtsError } from '../../shared'
import { ClinicalTokenizer } from './clinical-tokenizer'
import {
  parseVocabTxt,
  synthesizeBertTokenizerJson,
  type BertTokenizerOptions,
} from './vocab-tokenizer'

// The app never downloads: even if some code path asked transformers.js for a hub model, refuse.
env.allowRemoteModels = false
env.allowLocalModels = true

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new CtsError('bad-input', `${path}: cannot be read`)
  }
}

function parseJsonObject(text: string, source: string): Record<string, unknown> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CtsError('bad-input', `${source}: not valid JSON`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CtsError('bad-input', `${source}: must be a JSON object`)
  }
  return json as Record<string, unknown>
}

/** Special tokens may be written as strings or as AddedToken objects ({ content: '[CLS]' }). */
function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { content?: unknown }).content === 'string'
  ) {
    return (v as { content: string }).content
  }
  return undefined
}

/**
 * tokenizer_config.json with its special tokens as plain names: transformers fills those missing
 * from tokenizer_config.json from special_tokens_map.json.
 */
export function mergeSpecialTokens(
  config: Record<string, unknown>,
  map: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...config }
  for (const key of ['unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token']) {
    const name = tokenName(config[key]) ?? tokenName(map[key])
    if (name !== undefined) merged[key] = name
  }
  return merged
}

async function readTokenizerConfig(modelDir: string): Promise<Record<string, unknown>> {
  const configText = await readOptional(join(modelDir, 'tokenizer_config.json'))
  const config = configText === null ? {} : parseJsonObject(configText, 'tokenizer_config.json')
  const mapText = await readOptional(join(modelDir, 'special_tokens_map.json'))
  const map = mapText === null ? {} : parseJsonObject(mapText, 'special_tokens_map.json')
  return mergeSpecialTokens(config, map)
}

/** The WordPiece options a (merged) tokenizer_config.json sets for a vocab.txt-only folder. */
export function bertOptions(config: Record<string, unknown>): BertTokenizerOptions {
  const bool = (k: string) => (typeof config[k] === 'boolean' ? (config[k] as boolean) : undefined)
  const str = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : undefined)
  return {
    do_lower_case: bool('do_lower_case'),
    tokenize_chinese_chars: bool('tokenize_chinese_chars'),
    strip_accents: bool('strip_accents') ?? null,
    unk_token: str('unk_token'),
    sep_token: str('sep_token'),
    pad_token: str('pad_token'),
    cls_token: str('cls_token'),
    mask_token: str('mask_token'),
  }
}

/** BERT's special token names, then RoBERTa / XLM-RoBERTa's (fairseq's <s> </s> <pad> …). */
const DEFAULT_SPECIAL: Record<string, string[]> = {
  unk_token: ['[UNK]', '<unk>'],
  sep_token: ['[SEP]', '</s>'],
  pad_token: ['[PAD]', '<pad>'],
  cls_token: ['[CLS]', '<s>'],
  mask_token: ['[MASK]', '<mask>'],
}

/**
 * Without tokenizer_config.json, the special tokens are named by the tokenizer's added tokens:
 * the first of each key's usual names that the tokenizer defines.
 */
function withDefaultSpecialTokens(config: Record<string, unknown>, json: Record<string, unknown>) {
  const added = Array.isArray(json.added_tokens) ? json.added_tokens.map(tokenName) : []
  for (const [key, names] of Object.entries(DEFAULT_SPECIAL)) {
    const name = names.find((n) => added.includes(n))
    if (config[key] === undefined && name !== undefined) config[key] = name
  }
}

function construct(json: Record<string, unknown>, config: Record<string, unknown>, source: string) {
  try {
    return new PreTrainedTokenizer(json, config)
  } catch (err) {
    throw new CtsError(
      'bad-input',
      `${source}: cannot be loaded as a tokenizer (${(err as Error).message})`,
    )
  }
}

/** Loads the tokenizer of a local Hugging Face model folder. Never touches the network. */
export async function loadTokenizer(modelDir: string): Promise<ClinicalTokenizer> {
  const config = await readTokenizerConfig(modelDir)
  const tokenizerText = await readOptional(join(modelDir, 'tokenizer.json'))
  if (tokenizerText !== null) {
    const json = parseJsonObject(tokenizerText, 'tokenizer.json')
    const model = json.model as { type?: unknown } | undefined
    if (typeof model !== 'object' || model === null || typeof model.type !== 'string') {
      throw new CtsError('bad-input', 'tokenizer.json: the "model" section is missing')
    }
    withDefaultSpecialTokens(config, json)
    return new ClinicalTokenizer(construct(json, config, 'tokenizer.json'), 'tokenizer.json')
  }
  const vocabText = await readOptional(join(modelDir, 'vocab.txt'))
  if (vocabText === null) {
    throw new CtsError('bad-input', 'the model folder has neither tokenizer.json nor vocab.txt')
  }
  const json = synthesizeBertTokenizerJson(parseVocabTxt(vocabText), bertOptions(config))
  withDefaultSpecialTokens(config, json)
  return new ClinicalTokenizer(construct(json, config, 'vocab.txt'), 'vocab.txt')
}

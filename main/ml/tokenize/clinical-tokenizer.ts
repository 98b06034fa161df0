// The tokenizer the rest of the app sees: Hugging Face's tokenizer (via @huggingface/transformers)
// wrapped with BERT truncation and padding into the int64 tensors our ONNX graphs take.
import type { PreTrainedTokenizer } from '@huggingface/transformers'
import { CtsError } from '../../shared'

export type PaddingMode = 'longest' | 'max_length'

export interface EncodeBatchOptions {
  /** Maximum tokens per text, [CLS] and [SEP] included. */
  maxLength: number
  /** 'longest' pads to the longest text in the batch; 'max_length' always to maxLength. */
  padding: PaddingMode
}

/** Row-major [batch, seqLen] tensors, ready for onnxruntime's int64 inputs. */
export interface EncodedBatch {
  inputIds: BigInt64Array
  attentionMask: BigInt64Array
  tokenTypeIds: BigInt64Array
  batch: number
  seqLen: number
  /** Real (unpadded) length of each row, special tokens included. */
  lengths: number[]
}

export type TokenizerSource = 'tokenizer.json' | 'vocab.txt'

/**
 * How a tokenizer writes its pieces: WordPiece marks continuations with '##' (BERT, ELECTRA,
 * DistilBERT); SentencePiece marks word starts with '▁' (XLM-RoBERTa); GPT-2's byte-level BPE
 * (RoBERTa) writes each UTF-8 byte as one character, a space as 'Ġ', and may split a Chinese
 * character's three bytes over two tokens.
 */
export type PieceStyle = 'wordpiece' | 'sentencepiece' | 'byte-level'

/**
 * CJK ideographs outside the BMP (Extensions B–F, compatibility supplement), with the exact ranges
 * of Hugging Face's Rust BertNormalizer. transformers.js checks one UTF-16 unit at a time and so
 * never spaces these, gluing e.g. "𠀀𠀁" into one [UNK] where Hugging Face yields two. Spacing
 * them before encoding gives the same split the Rust normalizer makes.
 */
const ASTRAL_CJK =
  /[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu
const HAS_SURROGATE = /[\uD800-\uDBFF]/

/**
 * Truncation only needs the first tokens, so long texts are encoded from a prefix. English
 * WordPiece averages ~5 characters per token; starting at 12 makes a second try rare.
 */
const PREFIX_CHARS_PER_TOKEN = 12
/** How far past the budget to look for a safe place to cut before encoding the whole text. */
const CUT_SEARCH_CHARS = 256

const isCjk = (code: number) =>
  (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf)

/**
 * A cut that BERT's pre-tokenizer would split at anyway: before an ASCII space/tab/newline, or
 * between two CJK ideographs (each is its own word). Other whitespace is avoided because BERT's
 * cleaner deletes some characters JavaScript calls whitespace (U+FEFF), joining their neighbours.
 */
function safeCut(text: string, from: number): number {
  const end = Math.min(text.length, from + CUT_SEARCH_CHARS)
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) return i
    if (isCjk(c) && isCjk(text.charCodeAt(i - 1))) return i
  }
  return -1
}

/** The piece notation of a tokenizer.json (pre-tokenizer and decoder may be Sequences). */
export function pieceStyleOf(json: {
  pre_tokenizer?: unknown
  decoder?: unknown
  model?: { type?: string }
}): PieceStyle {
  if (json.model?.type === 'WordPiece') return 'wordpiece'
  const parts = JSON.stringify([json.pre_tokenizer ?? null, json.decoder ?? null])
  if (parts.includes('"type":"ByteLevel"')) return 'byte-level'
  if (parts.includes('"type":"Metaspace"') || json.model?.type === 'Unigram') return 'sentencepiece'
  return 'wordpiece'
}

export class ClinicalTokenizer {
  readonly vocabSize: number
  readonly padId: number
  readonly unkId: number | null
  /** Tokens the model adds around every text (BERT: [CLS] before, [SEP] after). */
  readonly prefixIds: number[]
  readonly suffixIds: number[]
  /** How tokens() writes its pieces, so explanations can map them back onto the text. */
  readonly pieceStyle: PieceStyle
  private readonly idToToken: string[]
  private readonly spacesChineseChars: boolean
  /** True for the BERT pipeline, where encoding a prefix cut at a word boundary is exact. */
  private readonly prefixSafe: boolean

  constructor(
    private readonly hf: PreTrainedTokenizer,
    readonly source: TokenizerSource,
  ) {
    const name = source
    const normalizer = (hf._tokenizerJSON as { normalizer?: Record<string, unknown> | null })
      .normalizer
    this.spacesChineseChars =
      normalizer?.type === 'BertNormalizer' && normalizer.handle_chinese_chars !== false
    const json = hf._tokenizerJSON as {
      pre_tokenizer?: { type?: string } | null
      decoder?: { type?: string } | null
      model?: { type?: string }
      added_tokens?: { content?: string }[]
    }
    this.pieceStyle = pieceStyleOf(json)
    this.prefixSafe =
      normalizer?.type === 'BertNormalizer' &&
      json.pre_tokenizer?.type === 'BertPreTokenizer' &&
      json.model?.type === 'WordPiece' &&
      (json.added_tokens ?? []).every((t) => !/\s/.test(t.content ?? ''))
    const vocab = hf.get_vocab()
    this.idToToken = []
    for (const [token, id] of vocab) this.idToToken[id] = token
    this.vocabSize = this.idToToken.length
    if (typeof hf.pad_token_id !== 'number') {
      throw new CtsError('bad-input', `${name}: no padding token ([PAD]) is defined`)
    }
    this.padId = hf.pad_token_id
    this.unkId = typeof hf.unk_token_id === 'number' ? hf.unk_token_id : null
    // Find the special tokens the post-processor adds by encoding a probe with and without them.
    const bare = hf.encode('a', { add_special_tokens: false })
    const full = hf.encode('a', { add_special_tokens: true })
    const at = full.findIndex((_, i) => bare.every((id, k) => full[i + k] === id))
    if (bare.length === 0 || at < 0) {
      throw new CtsError(
        'bad-input',
        `${name}: cannot tell which special tokens the tokenizer adds`,
      )
    }
    this.prefixIds = full.slice(0, at)
    this.suffixIds = full.slice(at + bare.length)
  }

  /** Token ids of one text, special tokens included, cut to maxLength as Hugging Face does. */
  encode(text: string, maxLength = 512): number[] {
    const room = maxLength - this.prefixIds.length - this.suffixIds.length
    if (!Number.isSafeInteger(maxLength) || room < 1) {
      throw new CtsError('bad-input', `maximum length ${maxLength} leaves no room for text`)
    }
    const content = this.contentIds(text, room)
    return [...this.prefixIds, ...content, ...this.suffixIds]
  }

  /** The first `room` content ids of `text`, identical to encoding it whole and cutting. */
  private contentIds(text: string, room: number): number[] {
    if (this.prefixSafe) {
      for (let budget = room * PREFIX_CHARS_PER_TOKEN; budget < text.length; budget *= 2) {
        const cut = safeCut(text, budget)
        if (cut < 0) break
        const ids = this.rawIds(text.slice(0, cut))
        // Every word of the prefix is whole, so its ids are the start of the full text's ids.
        if (ids.length >= room) return ids.slice(0, room)
      }
    }
    const ids = this.rawIds(text)
    if (ids.length > room) ids.length = room
    return ids
  }

  private rawIds(text: string): number[] {
    const input =
      this.spacesChineseChars && HAS_SURROGATE.test(text) ? text.replace(ASTRAL_CJK, ' $& ') : text
    return this.hf.encode(input, { add_special_tokens: false })
  }

  /** Encodes and pads a batch; token type ids are all 0 (single-sequence classification). */
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions): EncodedBatch {
    const rows = texts.map((t) => this.encode(t, options.maxLength))
    const lengths = rows.map((r) => r.length)
    const seqLen =
      options.padding === 'max_length'
        ? options.maxLength
        : lengths.reduce((a, b) => Math.max(a, b), 0)
    const batch = rows.length
    const inputIds = new BigInt64Array(batch * seqLen).fill(BigInt(this.padId))
    const attentionMask = new BigInt64Array(batch * seqLen)
    const tokenTypeIds = new BigInt64Array(batch * seqLen)
    rows.forEach((row, b) => {
      const base = b * seqLen
      for (let i = 0; i < row.length; i++) inputIds[base + i] = BigInt(row[i])
      attentionMask.fill(1n, base, base + row.length)
    })
    return { inputIds, attentionMask, tokenTypeIds, batch, seqLen, lengths }
  }

  /** Token strings for ids (e.g. 'hyper', '##tension'), for explanations; unknown ids → '[?]'. */
  tokens(ids: ArrayLike<number | bigint>): string[] {
    return Array.from(ids, (id) => this.idToToken[Number(id)] ?? '[?]')
  }
}

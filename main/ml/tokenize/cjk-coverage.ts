// How Chinese a set of texts is, and how much of its Chinese a model's tokenizer knows: the share of
// CJK characters among non-whitespace characters, and the share of their occurrences that become [UNK].
import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { ClinicalTokenizer } from './clinical-tokenizer'
import { loadTokenizer } from './load-tokenizer'

// "CJK characters" are the Han script's: unified ideographs with extensions A–H, compatibility
// ideographs, radicals, 々 and 〇. Kana, Hangul and full-width punctuation are not counted: they
// say nothing about whether a model reads Chinese, but they do count as characters.
const HAN = /\p{Script=Han}/u
const SPACE = /\s/u

export interface CjkCounts {
  /** Non-whitespace characters (code points) of the texts. */
  characters: number
  /** Of those, CJK (Han) characters. */
  cjk: number
  /** Occurrences of each distinct CJK character. */
  perChar: Map<string, number>
}

export function countCjk(texts: Iterable<string>): CjkCounts {
  const perChar = new Map<string, number>()
  let characters = 0
  let cjk = 0
  for (const text of texts) {
    for (const ch of text) {
      if (SPACE.test(ch)) continue
      characters++
      if (!HAN.test(ch)) continue
      cjk++
      perChar.set(ch, (perChar.get(ch) ?? 0) + 1)
    }
  }
  return { characters, cjk, perChar }
}

/** CJK characters / non-whitespace characters of counted texts; 0 without characters. */
export function shareOfCjk(counts: CjkCounts): number {
  return counts.characters === 0 ? 0 : counts.cjk / counts.characters
}

/** The share of the texts' non-whitespace characters that are CJK (0 for empty texts). */
export function cjkShare(texts: Iterable<string>): number {
  return shareOfCjk(countCjk(texts))
}

/**
 * Whether a character, on its own, is unknown to a model: it becomes [UNK], nothing at all, or
 * several pieces. The last catches byte-level BPE (GPT-2/RoBERTa vocabularies), which never
 * emits [UNK] but spells an unfamiliar ideograph as 2–3 byte tokens: the model has no token for
 * it. A lone word-start marker (SentencePiece '▁', byte-level 'Ġ') is not a piece.
 */
export type UnknownTest = (ch: string) => boolean

/** The part of a tokenizer the test needs (a ClinicalTokenizer, or a fake in tests). */
export type CharTokenizer = Pick<
  ClinicalTokenizer,
  'encode' | 'tokens' | 'prefixIds' | 'suffixIds' | 'unkId'
>

const WORD_MARKER = /^[\u2581\u0120]$/

/** One verdict per distinct character, remembered (a project has a few thousand at most). */
export function unknownTest(tok: CharTokenizer): UnknownTest {
  const verdicts = new Map<string, boolean>()
  const room = tok.prefixIds.length + tok.suffixIds.length + 8
  return (ch) => {
    let unknown = verdicts.get(ch)
    if (unknown === undefined) {
      const ids = tok.encode(ch, room)
      const content = ids.slice(tok.prefixIds.length, ids.length - tok.suffixIds.length)
      const pieces = tok.tokens(content).filter((t) => !WORD_MARKER.test(t))
      unknown = pieces.length !== 1 || (tok.unkId !== null && content.includes(tok.unkId))
      verdicts.set(ch, unknown)
    }
    return unknown
  }
}

/**
 * Share of the CJK character occurrences a tokenizer does not know, asking once per distinct
 * character; null when there is no CJK character (nothing to judge).
 */
export function unkShareOf(counts: CjkCounts, isUnknown: UnknownTest): number | null {
  if (counts.cjk === 0) return null
  let unknown = 0
  for (const [ch, n] of counts.perChar) if (isUnknown(ch)) unknown += n
  return unknown / counts.cjk
}

/** A tokenizer's [UNK] share over the CJK characters of `texts` (null: no CJK character). */
export function tokenizerUnkShare(tok: CharTokenizer, texts: Iterable<string>): number | null {
  return unkShareOf(countCjk(texts), unknownTest(tok))
}

// One tokenizer per model folder and file version for the process' lifetime: the train view asks
// on every visit, and a vocabulary does not change under an unchanged file.
const cache = new Map<string, Promise<UnknownTest>>()

function cacheKey(dir: string): string {
  for (const file of ['tokenizer.json', 'vocab.txt']) {
    try {
      const s = statSync(join(dir, file))
      return `${dir}\0${file}\0${s.size}\0${s.mtimeMs}`
    } catch {
      // not this file: try the next
    }
  }
  return dir
}

/** The unknown-character test of a model folder's tokenizer, loaded once. */
export function modelUnknownTest(dir: string): Promise<UnknownTest> {
  const key = cacheKey(dir)
  let test = cache.get(key)
  if (!test) {
    test = loadTokenizer(dir).then(unknownTest)
    cache.set(key, test)
    test.catch(() => cache.delete(key))
  }
  return test
}

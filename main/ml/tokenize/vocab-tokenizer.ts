// Builds the tokenizer.json a BERT vocab.txt folder would have, the way Hugging Face's converter
// (BertConverter) does, so a vocab-only model tokenizes exactly like its fast tokenizer.
import { CtsError } from '../../shared'

/** The tokenizer_config.json keys that change BERT's WordPiece behaviour. */
export interface BertTokenizerOptions {
  do_lower_case?: boolean
  tokenize_chinese_chars?: boolean
  strip_accents?: boolean | null
  unk_token?: string
  sep_token?: string
  pad_token?: string
  cls_token?: string
  mask_token?: string
}

/** vocab.txt: one token per line, id = line number; a repeated token keeps its last line, as in transformers. */
export function parseVocabTxt(text: string, source = 'vocab.txt'): Map<string, number> {
  const lines = text.split('\n')
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const vocab = new Map<string, number>()
  lines.forEach((line, i) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, i))
  if (vocab.size === 0) throw new CtsError('bad-input', `${source}: the vocabulary is empty`)
  return vocab
}

/** Returns an in-memory tokenizer.json equivalent to BertTokenizerFast for this vocabulary. */
export function synthesizeBertTokenizerJson(
  vocab: Map<string, number>,
  options: BertTokenizerOptions,
  source = 'vocab.txt',
): Record<string, unknown> {
  const names = {
    unk: options.unk_token ?? '[UNK]',
    sep: options.sep_token ?? '[SEP]',
    pad: options.pad_token ?? '[PAD]',
    cls: options.cls_token ?? '[CLS]',
    mask: options.mask_token ?? '[MASK]',
  }
  for (const key of ['unk', 'sep', 'pad', 'cls'] as const) {
    if (!vocab.has(names[key])) {
      throw new CtsError(
        'bad-input',
        `${source}: the special token ${names[key]} is not in the vocabulary`,
      )
    }
  }
  const special = Object.values(names).filter((t, i, all) => vocab.has(t) && all.indexOf(t) === i)
  const added_tokens = special
    .map((content) => ({
      id: vocab.get(content) as number,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    }))
    .sort((a, b) => a.id - b.id)
  const clsId = vocab.get(names.cls) as number
  const sepId = vocab.get(names.sep) as number
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: options.tokenize_chinese_chars ?? true,
      strip_accents: options.strip_accents ?? null,
      lowercase: options.do_lower_case ?? true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: names.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: names.sep, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: names.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: names.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: names.sep, type_id: 1 } },
      ],
      special_tokens: {
        [names.cls]: { id: names.cls, ids: [clsId], tokens: [names.cls] },
        [names.sep]: { id: names.sep, ids: [sepId], tokens: [names.sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: names.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  }
}

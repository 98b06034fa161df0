// MODEL_CARD.md of an exported model: what it is (run, base model, data hash, labels, metrics,
// hyper-parameters), what it is for and not for, and how to run it with onnxruntime in Node and Python.
import type { RunLicence } from '../models/run-licence'

export interface ModelCardMetrics {
  accuracy: number
  macro_f1: number
  weighted_f1: number
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>
}

/** Everything the card states about the run (plain data: ml/ knows nothing of the store). */
export interface ModelCardInfo {
  runId: number
  kind: 'baseline' | 'bert'
  /** A baseline's form: 'tfidf' (logistic regression on TF-IDF n-grams), else the embedding bag. */
  baselineForm?: 'tfidf'
  baseModel: string
  /** The base model's licence as the run recorded it (absent for a baseline or an older run). */
  licence?: RunLicence | null
  labels: string[]
  dataHash: string
  seed: number
  provider: string | null
  createdAt: string
  finishedAt: string | null
  hyperparameters: Record<string, unknown>
  test: ModelCardMetrics | null
  maxLength: number
  /**
   * The graph's batch inputs, from the bundle (BERT: input_ids, attention_mask and, except for
   * DistilBERT, token_type_ids). Absent: BERT's three.
   */
  inputs?: string[]
  appVersion?: string
}

const BERT_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids']

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a')
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

export function metricsSection(m: ModelCardMetrics | null, labels: string[]): string[] {
  if (!m) return ['No test-set metrics were recorded for this run.']
  const lines = [
    `Accuracy ${f3(m.accuracy)} · macro F1 ${f3(m.macro_f1)} · weighted F1 ${f3(m.weighted_f1)}`,
    '',
    '| Label | Precision | Recall | F1 | Support |',
    '|---|---|---|---|---|',
  ]
  for (const l of labels) {
    const c = m.per_class[l]
    if (c)
      lines.push(
        `| ${cell(l)} | ${f3(c.precision)} | ${f3(c.recall)} | ${f3(c.f1)} | ${c.support} |`,
      )
  }
  return lines
}

function usageSection(
  kind: ModelCardInfo['kind'],
  inputs: string[],
  baselineForm?: 'tfidf',
): string[] {
  if (kind === 'bert') {
    // Token types are fed as zeros when the graph takes them: RoBERTa-style tokenizers return none.
    const types = inputs.includes('token_type_ids')
    return [
      '### Node.js (onnxruntime-node + @huggingface/transformers)',
      '```js',
      "import * as ort from 'onnxruntime-node'",
      "import { AutoTokenizer, env } from '@huggingface/transformers'",
      "import { readFileSync } from 'node:fs'",
      "env.allowRemoteModels = false; env.localModelPath = ''",
      'const dir = "/path/to/this/folder"',
      "const labels = JSON.parse(readFileSync(`${dir}/labels.json`, 'utf8'))",
      'const tokenizer = await AutoTokenizer.from_pretrained(dir)',
      'const session = await ort.InferenceSession.create(`${dir}/model.onnx`)',
      "const enc = tokenizer(['text to classify'], { padding: true, truncation: true, max_length: MAX_LENGTH })",
      "const int64 = (t) => new ort.Tensor('int64', t.data, t.dims)  // int64 [batch, seq]",
      'const feeds = { input_ids: int64(enc.input_ids), attention_mask: int64(enc.attention_mask) }',
      ...(types
        ? [
            "feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(enc.input_ids.size),",
            '  enc.input_ids.dims)  // all 0',
          ]
        : []),
      'const { probs } = await session.run(feeds)  // float32 [batch, labels], labels.json order',
      '```',
      '### Python (onnxruntime + transformers)',
      '```python',
      'import json, numpy as np, onnxruntime as ort',
      'from transformers import AutoTokenizer',
      'd = "/path/to/this/folder"',
      'labels = json.load(open(f"{d}/labels.json", encoding="utf-8"))',
      'tok = AutoTokenizer.from_pretrained(d)',
      'sess = ort.InferenceSession(f"{d}/model.onnx")',
      'enc = tok(["text to classify"], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np")',
      'feeds = {k: enc[k].astype(np.int64) for k in ["input_ids", "attention_mask"]}',
      ...(types ? ['feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])  # all 0'] : []),
      'logits, probs = sess.run(["logits", "probs"], feeds)',
      'print([labels[i] for i in probs.argmax(-1)])',
      '```',
    ]
  }
  const tfidf = baselineForm === 'tfidf'
  return [
    ...(tfidf
      ? [
          'The baseline reads TF-IDF n-gram values, not tokens: `featurizer.json` specifies exactly',
          'how to compute them (word 1–2-grams, character 1–4-grams as scikit-learn’s char_wb or',
          'char analyzers make them, looked up in `baseline-vocab.bin`, (1 + ln count) × idf, word',
          'and character blocks each L2-normalised, at most `maxFeatures` n-grams per text).',
        ]
      : [
          'The baseline reads hashed n-gram ids, not tokens: `featurizer.json` specifies exactly how',
          'to compute them (NFKC + lower case, word uni/bi-grams, character 1–3-grams in CJK runs,',
          '32-bit FNV-1a over UTF-8 modulo `buckets`, at most `maxFeatures` ids per text).',
        ]),
    '',
    '### Python (onnxruntime)',
    '```python',
    'import json, numpy as np, onnxruntime as ort',
    ...(tfidf
      ? ['ids, values = featurize(text)  # per featurizer.json']
      : [
          'ids = featurize(text)  # list of ints, per featurizer.json',
          'values = [1.0] * len(ids)',
        ]),
    'sess = ort.InferenceSession("model.onnx")',
    'n = max(1, len(ids))',
    'feeds = {"ids": np.array([ids + [0] * (n - len(ids))], np.int64),',
    '         "mask": np.array([values + [0.0] * (n - len(ids))], np.float32)}',
    'logits, probs = sess.run(["logits", "probs"], feeds)',
    '```',
    '### Node.js (onnxruntime-node)',
    '```js',
    "const session = await ort.InferenceSession.create('model.onnx')",
    "const { probs } = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),",
    "  mask: new ort.Tensor('float32', mask, [1, n]) })",
    '```',
  ]
}

/** The base model's licence; a research-only one binds the fine-tuned model too, so it says so. */
export function licenceSection(c: ModelCardInfo): string[] {
  if (c.kind !== 'bert') return []
  const l = c.licence
  if (!l) {
    return [
      '## Licence',
      `The licence of the base model (${c.baseModel}) is unknown: the model folder does not state`,
      'one. Check it before you share or use this model outside your own research.',
      '',
    ]
  }
  const source = l.source ? ` (stated in ${l.source})` : ''
  if (!l.researchOnly) {
    return [
      '## Licence',
      `Base model ${c.baseModel}: ${l.name}${source}. Keep its licence terms when you share this model.`,
      '',
    ]
  }
  return [
    '## Licence: research use only',
    `**This model must not be used commercially.** It was fine-tuned from ${c.baseModel}, whose`,
    `licence "${l.name}"${source} allows research use only; a model trained from it inherits that`,
    'restriction. Use it for research, never in a commercial product or service.',
    '',
    '**仅供研究使用，不得用于商业用途。** 此模型由仅限研究使用的基础模型微调而来，同样不得商用。',
    '',
  ]
}

/** The model card as Markdown. */
export function modelCardMarkdown(c: ModelCardInfo): string {
  const hyper = Object.entries(c.hyperparameters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `| ${cell(k)} | ${cell(JSON.stringify(v))} |`)
  const graphInputs = c.inputs ?? BERT_INPUTS
  const inputs =
    c.kind === 'bert'
      ? `${graphInputs.map((n) => `\`${n}\``).join(', ')} (int64 [batch, seq]` +
        `${graphInputs.includes('token_type_ids') ? '; token types all 0' : ''})`
      : c.baselineForm === 'tfidf'
        ? '`ids` (int64 [batch, bag]) and `mask` (float32 [batch, bag], each id’s TF-IDF value, 0 for padding)'
        : '`ids` (int64 [batch, bag]) and `mask` (float32 [batch, bag], 1 for real ids)'
  return [
    `# Model card — Clinical Text Studio run ${c.runId}`,
    '',
    '## Model',
    `- Kind: ${c.kind === 'bert' ? 'BERT-family encoder fine-tuned for classification' : c.baselineForm === 'tfidf' ? 'logistic regression on TF-IDF word and character n-grams (no pretrained model)' : 'hashed n-gram embedding-bag baseline (no pretrained model)'}`,
    `- Base model: ${c.baseModel}`,
    ...(c.kind === 'bert'
      ? [
          `- Base model licence: ${c.licence ? c.licence.name : 'unknown'}${c.licence?.researchOnly ? ' (research use only, not for commercial use)' : ''}`,
        ]
      : []),
    `- Labels (output order): ${c.labels.map((l) => `\`${l}\``).join(', ')}`,
    `- Inputs: ${inputs}; texts longer than ${c.maxLength} ${c.kind === 'bert' ? 'tokens' : 'n-gram ids'} are cut`,
    '- Outputs: `logits` and `probs` (softmax), float32 [batch, labels], in `labels.json` order',
    `- Run id: ${c.runId} · data snapshot hash: \`${c.dataHash}\` · seed: ${c.seed}`,
    `- Trained: ${c.createdAt}${c.finishedAt ? ` → ${c.finishedAt}` : ''} · execution provider: ${c.provider ?? 'unknown'}`,
    '',
    ...licenceSection(c),
    '## Hyper-parameters',
    '| Name | Value |',
    '|---|---|',
    ...hyper,
    '',
    '## Test-set metrics',
    ...metricsSection(c.test, c.labels),
    '',
    '## Intended use',
    'Decision support for clinicians and researchers who labelled the training texts: ranking,',
    'triage or pre-screening of clinical texts of the same kind (source, language, period) as the',
    'training data, with a person reviewing every result that matters.',
    '',
    '## Limitations',
    '- Not a medical device and not validated for diagnosis; never the only basis for care.',
    '- Metrics come from one held-out split of one data set; expect lower performance on texts from',
    '  other hospitals, departments, templates or time periods. Re-evaluate before each new use.',
    '- Probabilities are model scores, not calibrated risks unless checked in the evaluation view.',
    `- Only the first ${c.maxLength} ${c.kind === 'bert' ? 'tokens' : 'n-gram ids'} of a text are read.`,
    '- Labels reflect the annotators who made them, with their errors and disagreements.',
    '',
    '## How to run it',
    ...usageSection(c.kind, graphInputs, c.baselineForm).map((l) =>
      l.replace(/MAX_LENGTH/g, String(c.maxLength)),
    ),
    '',
    `Exported by Clinical Text Studio${c.appVersion ? ` ${c.appVersion}` : ''}.`,
    '',
  ].join('\n')
}

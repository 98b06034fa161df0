// De-identification as the product uses it (issue #15 point 3): the preview before an import
// (counts per kind + masked examples), and the counting and masking that import, export and
// report share. The detection itself is main/data/deid's engine; nothing here sees a raw span.
import type { HandlersOf } from '../../preload/contract'
import type { FileRef } from '../../preload/contract/common'
import {
  PHI_TYPES,
  type DeidExampleDto,
  type DeidOptions,
  type DeidPreviewDto,
  type PhiSpanDto,
  type PhiType,
} from '../../preload/contract/deid'
import { maskText } from '../data/deid'
import type { SourceReader } from '../data/types'
import { CtsError } from '../shared'
import { toSourceInput } from './datasets-service'
import { DeidMasker } from './deid-masker'
import type { ProjectsService } from './projects-service'

/** Masked examples kept per kind for the preview. */
export const DEID_EXAMPLES_PER_TYPE = 3
/** Characters of masked text shown on each side of an example's tag. */
export const DEID_EXAMPLE_CONTEXT_CHARS = 40

export interface DeidPreviewArgs {
  projectId?: number
  file: FileRef
  encoding?: string
  sheet?: string
  textColumn: string
  options?: DeidOptions
}

/**
 * For each span, the masked text around its tag: `context` chars either side of the tag in the
 * MASKED text (so a neighbouring span shows as its tag too), never cutting a tag in half.
 */
export function maskedContexts(
  original: string,
  spans: readonly PhiSpanDto[],
  options: DeidOptions,
  context = DEID_EXAMPLE_CONTEXT_CHARS,
): DeidExampleDto[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  // Build the masked text here too, recording where each tag lands in it.
  let masked = ''
  let at = 0
  const tags: { type: PhiType; start: number; end: number }[] = []
  for (const s of sorted) {
    if (s.start < at) continue
    masked += original.slice(at, s.start)
    const tag = maskText(
      original.slice(s.start, s.end),
      [{ ...s, start: 0, end: s.end - s.start }],
      options,
    )
    tags.push({ type: s.type, start: masked.length, end: masked.length + tag.length })
    masked += tag
    at = s.end
  }
  masked += original.slice(at)
  const widen = (pos: number, dir: -1 | 1): number => {
    // Move a cut point out of any tag it falls inside.
    for (const t of tags) if (pos > t.start && pos < t.end) return dir < 0 ? t.start : t.end
    return pos
  }
  return tags.map((t) => {
    const from = widen(Math.max(0, t.start - context), -1)
    const to = widen(Math.min(masked.length, t.end + context), 1)
    const text = masked.slice(from, to).replace(/\s+/g, ' ').trim()
    return {
      type: t.type,
      context: `${from > 0 ? '… ' : ''}${text}${to < masked.length ? ' …' : ''}`,
    }
  })
}

export class DeidService {
  constructor(
    private readonly projects: Pick<ProjectsService, 'require'>,
    private readonly reader: SourceReader,
  ) {}

  /**
   * Reads the whole file as datasets/import would (same reader, same text column, rows trimmed
   * and empty or unreadable rows skipped), de-identifies every text and counts; imports nothing.
   */
  async preview(args: DeidPreviewArgs): Promise<DeidPreviewDto> {
    if (args.projectId !== undefined) await this.projects.require(args.projectId)
    const options = args.options ?? {}
    const masker = new DeidMasker(options)
    const examples = new Map<PhiType, DeidExampleDto[]>()
    const input = toSourceInput(args.file)
    const source = { encoding: args.encoding, sheet: args.sheet }
    // The column is checked on the preview first, so the error names the argument (--text-column).
    const { columns } = await this.reader.preview(input, source)
    if (columns.length > 0 && !columns.includes(args.textColumn)) {
      const must = `must be a column of the file: "${args.textColumn}" is not one. Columns: ${columns.join(', ')}.`
      throw new CtsError('bad-input', `The text column ${must}`, {
        issues: [{ path: ['textColumn'], message: must, fromSchema: false }],
      })
    }
    const records = this.reader.records(input, source, { text: args.textColumn })
    for await (const record of records) {
      if ('error' in record) continue
      const text = record.text.trim()
      if (!text) continue
      const { spans } = masker.maskWithSpans(text)
      if (spans.length === 0) continue
      // Examples only for kinds still short of DEID_EXAMPLES_PER_TYPE: most texts need none.
      const wanted = spans.some((s) => (examples.get(s.type)?.length ?? 0) < DEID_EXAMPLES_PER_TYPE)
      if (!wanted) continue
      for (const ex of maskedContexts(text, spans, options)) {
        const list = examples.get(ex.type) ?? []
        // Notes that differ only in their PHI look the same masked: show each context once.
        const shown = list.some((e) => e.context === ex.context)
        if (!shown && list.length < DEID_EXAMPLES_PER_TYPE) examples.set(ex.type, [...list, ex])
      }
    }
    return {
      texts: masker.texts,
      textsWithPhi: masker.textsWithPhi,
      counts: masker.counts,
      examples: PHI_TYPES.flatMap((t) => examples.get(t) ?? []),
    }
  }

  handlers(): HandlersOf<'datasets/deid-preview'> {
    return { 'datasets/deid-preview': async (a) => this.preview(a) }
  }
}

// A tiny SourceReader for the services tests: yields given records, optionally failing after N.
import type { ColumnMapping, ImportPreviewDto } from '../../../preload/contract/datasets'
import { CtsError } from '../../../preload/contract/common'
import type {
  SourceInput,
  SourceOptions,
  SourceReader,
  SourceRecord,
} from '../../../main/data/types'

export class ArrayReader implements SourceReader {
  /** How many times records() was started. */
  reads = 0

  /** Tests switch the records and the failure point between imports. */
  constructor(
    public source: () => Iterable<SourceRecord>,
    public failAfter?: number,
  ) {}

  async preview(_input: SourceInput, _options: SourceOptions): Promise<ImportPreviewDto> {
    return {
      format: 'jsonl',
      encoding: 'utf-8',
      detectedEncoding: 'utf-8',
      columns: ['text', 'label'],
      rows: [],
      suggestedMapping: { text: 'text', label: 'label' },
      labelsFound: [],
    }
  }

  async *records(
    _input: SourceInput,
    _options: SourceOptions,
    _mapping: ColumnMapping,
  ): AsyncIterable<SourceRecord> {
    this.reads += 1
    let n = 0
    for (const record of this.source()) {
      if (this.failAfter !== undefined && n === this.failAfter) {
        throw new CtsError(
          'bad-input',
          `Row ${record.row}: the file ends in the middle of a quoted field.`,
        )
      }
      n += 1
      // Yield to the event loop now and then, as a real file reader does.
      if (n % 100 === 0) await new Promise((r) => setImmediate(r))
      yield record
    }
  }
}

export const anyFile = { name: 'notes.csv', contentBase64: '' }
export const textMapping = { text: 'text', label: 'label', id: 'id', group: 'group' }

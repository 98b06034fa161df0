// `cts predict --format xlsx` and `cts export-model` on a workspace holding one finished baseline
// run: the same code paths as the app's 'predict-file' job and 'runs/exportModel'.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFinishedBaselineRun } from '../cli/cts-in-process'
import { REPO_ROOT, runCts } from '../cli/cts-process'

const inputCsv = join(REPO_ROOT, 'test/fixtures/predict/texts.csv')
const home = mkdtempSync(join(tmpdir(), 'cts-predict-cli-'))
const cts = (args: string[]) => runCts(home, args)

beforeAll(async () => {
  await writeFinishedBaselineRun(home, 'sha256:cli')
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts predict / cts export-model', () => {
  it('predicts a file into XLSX when asked', async () => {
    const out = join(home, 'out.xlsx')
    const { stdout } = await cts([
      'predict',
      '--run',
      '1',
      '--in',
      inputCsv,
      '--out',
      out,
      '--json',
    ])
    expect(JSON.parse(stdout)).toMatchObject({ run_id: 1, rows: 5, skipped: 1, format: 'xlsx' })
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(out)
    const sheet = book.getWorksheet('Predictions')!
    expect(sheet.rowCount).toBe(6)
    expect(sheet.getCell('A2').value).toBe('Patient has fever and cough since Monday')
  }, 30_000)

  it('exports the model folder and refuses to overwrite it', async () => {
    const out = join(home, 'model-export')
    const { stdout } = await cts(['export-model', '--run', '1', '--out', out, '--json'])
    expect(JSON.parse(stdout)).toEqual({
      run_id: 1,
      path: out,
      files: ['MODEL_CARD.md', 'featurizer.json', 'inference.json', 'labels.json', 'model.onnx'],
    })
    expect(readdirSync(out)).toHaveLength(5)
    await expect(cts(['export-model', '--run', '1', '--out', out])).rejects.toMatchObject({
      stderr: expect.stringMatching(/already exists and is not empty/),
    })
    await expect(
      cts(['export-model', '--run', '2', '--out', join(home, 'x')]),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/Run 2 does not exist/) })
    expect(existsSync(join(home, 'x'))).toBe(false)
  }, 30_000)
})

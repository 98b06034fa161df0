// Run-folder file names are defined once (main/shared/run-files.ts): the lint rule rejects their
// literals anywhere else in main/, and the names are distinct.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import * as runFiles from '../../../main/shared/run-files'
import { RUN_FILES_MESSAGE } from '../../../scripts/layers.mjs'

const eslint = new ESLint()

/** Names another kind of folder uses too (a base model folder, an export folder): not linted. */
const ALSO_ELSEWHERE = ['config.json', 'model.onnx', 'tokenizer', 'checkpoints']

async function ruleMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message)
}

describe('run-folder file names', () => {
  const names = Object.values(runFiles)

  it('are distinct', () => {
    expect(new Set(names).size).toBe(names.length)
  })

  it.each(names.filter((n) => !ALSO_ELSEWHERE.includes(n)))(
    'rejects the literal %s outside main/shared',
    async (name) => {
      const code = `import { join } from 'node:path'\nexport const p = join('run', '${name}')\n`
      expect(await ruleMessages('main/services/x.ts', code)).toEqual([RUN_FILES_MESSAGE])
      expect(await ruleMessages('main/shared/x.ts', code)).toEqual([])
    },
  )
})

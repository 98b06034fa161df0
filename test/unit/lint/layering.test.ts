// The layering rule of eslint.config.mjs, proven with ESLint's own Node API: imports that go the
// wrong way are errors that say "Bad layering"; an import that goes the right way passes.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2)
    .map((m) => m.message)
}

describe('layering lint rule', () => {
  it('stops the renderer importing a service', async () => {
    const errors = await layeringErrors(
      'renderer/x.ts',
      "import { ProjectsService } from '../main/services/projects-service'\nexport const s = ProjectsService\n",
    )
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      'Bad layering: the renderer may import only types from preload/contract.',
    )
  })

  it('stops a service importing electron', async () => {
    const errors = await layeringErrors(
      'main/services/x.ts',
      "import { app } from 'electron'\nexport const a = app\n",
    )
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('Bad layering: only main/app/ and preload/ may import electron.')
  })

  it('stops ml importing anything above it', async () => {
    const errors = await layeringErrors(
      'main/ml/x.ts',
      "import { y } from '../services/y'\nexport const z = y\n",
    )
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('Bad layering: ml/ imports nothing above it.')
  })

  it('lets the renderer import contract types and main/app import electron', async () => {
    const renderer = await eslint.lintText(
      "import type { ProjectDto } from '../preload/contract'\nexport type P = ProjectDto\n",
      { filePath: 'renderer/x.ts' },
    )
    expect(renderer[0]!.messages).toEqual([])
    expect(
      await layeringErrors(
        'main/app/x.ts',
        "import { app } from 'electron'\nexport const a = app\n",
      ),
    ).toEqual([])
  })
})

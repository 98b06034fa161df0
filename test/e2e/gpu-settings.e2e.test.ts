// Settings → NVIDIA GPU through the real UI (issue #14 points 1 and 2): on a computer without an
// NVIDIA GPU the page says so and offers nothing to install; with a (fake) GPU and driver 580 it
// shows the licences, keeps "Enable NVIDIA GPU" off until the NVIDIA terms are accepted, and a
// folder without the wheels is refused naming them. The same in 简体中文. Nothing is downloaded:
// the pack folder and /proc/driver/nvidia are temp folders (the bridge runs in this process).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { buildSyntheticPack } from '../unit/gpu-pack/synthetic-pack'
import { openApp, screenshot, type AppSession } from './app-harness'

const tmp = mkdtempSync(join(tmpdir(), 'cts-e2e-gpu-'))
const packRoot = join(tmp, 'gpu-pack')
const noGpu = join(tmp, 'proc-none')
const withGpu = join(tmp, 'proc-gpu')
const emptyFolder = join(tmp, 'no-wheels')
const lock = JSON.parse(
  readFileSync(new URL('../../resources/gpu/gpu-pack.lock.json', import.meta.url), 'utf8'),
) as {
  platforms: Record<
    string,
    { tool: { file: string }; wheels: { name: string; file: string; licence: string }[] }
  >
}
const linux = lock.platforms['linux-x64']!
const saved = {
  dir: process.env.CTS_GPU_PACK_DIR,
  proc: process.env.CTS_NVIDIA_PROC,
  lock: process.env.CTS_GPU_PACK_LOCK,
}

let app: AppSession
let page: Page

beforeAll(async () => {
  mkdirSync(noGpu, { recursive: true })
  mkdirSync(emptyFolder, { recursive: true })
  // What the NVIDIA kernel module shows for one card and driver 580.
  mkdirSync(join(withGpu, 'gpus', '0000:01:00.0'), { recursive: true })
  writeFileSync(
    join(withGpu, 'version'),
    'NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:48 UTC 2025\n',
  )
  writeFileSync(
    join(withGpu, 'gpus', '0000:01:00.0', 'information'),
    'Model: \t\t NVIDIA RTX A4000\nIRQ:   \t\t 130\n',
  )
  process.env.CTS_GPU_PACK_DIR = packRoot
  process.env.CTS_NVIDIA_PROC = noGpu
  delete process.env.CTS_GPU_PACK_LOCK
  app = await openApp()
  page = app.page
})
afterAll(async () => {
  await app?.close()
  for (const [key, value] of [
    ['CTS_GPU_PACK_DIR', saved.dir],
    ['CTS_NVIDIA_PROC', saved.proc],
    ['CTS_GPU_PACK_LOCK', saved.lock],
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  rmSync(tmp, { recursive: true, force: true })
})
afterEach(() => {
  expect(app.errors).toEqual([])
})

async function text(selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
}

/** Opens Settings afresh in `locale` (the section reads the status when it mounts). */
async function openSettings(locale: 'en' | 'zh-CN'): Promise<void> {
  await page.evaluate(`localStorage.setItem('cts.locale', '${locale}')`)
  await page.evaluate(`location.hash = '#/'`)
  await page.reload()
  await page.click('[data-testid=nav-settings]')
  await page.locator('[data-testid=gpu-pack]').waitFor()
}

describe('Settings → NVIDIA GPU', () => {
  it('on a computer without an NVIDIA GPU: says so, offers nothing to install (English)', async () => {
    process.env.CTS_NVIDIA_PROC = noGpu
    await openSettings('en')
    expect(await text('[data-testid=nav-settings]')).toBe('Settings')
    expect(await text('[data-testid=settings-view] h2')).toBe('Settings')
    expect(await text('[data-testid=gpu-section] h2')).toBe('NVIDIA GPU')
    expect(await text('[data-testid=gpu-intro]')).toBe(
      "Training and prediction can run on an NVIDIA graphics card. This needs the GPU pack: onnxruntime's CUDA provider and NVIDIA's libraries (about 1.4 GB), installed once for your user account.",
    )
    expect(await text('[data-testid=gpu-card]')).toBe('No NVIDIA GPU found')
    expect(await text('[data-testid=gpu-driver]')).toBe('Not installed (needs 580 or newer)')
    expect(await text('[data-testid=gpu-pack]')).toBe('Not installed · cuda13-ort1.30.0')
    expect(await text('[data-testid=gpu-dir]')).toBe(join(packRoot, 'cuda13-ort1.30.0'))
    expect(await text('[data-testid=gpu-cuda]')).toBe('Not checked yet')
    expect(await text('[data-testid=gpu-next]')).toBe(
      'Next step: No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.',
    )
    // Every library of the pack, each missing.
    await page.click('[data-testid=gpu-libraries] summary')
    const libs = page.locator('[data-testid=gpu-libraries] li')
    expect(await libs.count()).toBe(21)
    expect(await libs.first().getAttribute('data-state')).toBe('missing')
    expect(await libs.first().locator('[data-testid=gpu-library]').textContent()).toBe(
      'onnxruntime_binding.node',
    )
    expect(await libs.last().textContent()).toBe('libcudnn_ops.so.9missing')
    // No GPU: nothing to install, nothing to remove.
    expect(await page.locator('[data-testid=gpu-enable]').count()).toBe(0)
    expect(await page.locator('[data-testid=gpu-remove]').count()).toBe(0)
    await screenshot(page, 'gpu-settings-en')
  })

  it('with an NVIDIA GPU: licences, the NVIDIA terms accepted first, a folder without the wheels refused', async () => {
    process.env.CTS_NVIDIA_PROC = withGpu
    await openSettings('en')
    expect(await text('[data-testid=gpu-card]')).toBe('NVIDIA RTX A4000')
    expect(await text('[data-testid=gpu-driver]')).toBe('580.65.06 (needs 580 or newer)')
    expect(await text('[data-testid=gpu-next]')).toBe(
      'Next step: The NVIDIA GPU pack is not installed. Accept the licence terms below and press "Enable NVIDIA GPU".',
    )
    // Each row's cells joined by a space (the component, then its licence in words).
    const rows = await page
      .locator('[data-testid=gpu-licences] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.children, (td: { textContent: string | null }) =>
            td.textContent?.trim(),
          ).join(' '),
        ),
      )
    expect(rows).toEqual([
      'onnxruntime-gpu MIT (open source)',
      'nvidia-cublas NVIDIA Software License Agreement (proprietary)',
      'nvidia-cuda-runtime NVIDIA Software License Agreement (proprietary)',
      'nvidia-curand NVIDIA Software License Agreement (proprietary)',
      'nvidia-cufft NVIDIA Software License Agreement (proprietary)',
      'nvidia-cuda-nvrtc NVIDIA Software License Agreement (proprietary)',
      'nvidia-cudnn-cu13 NVIDIA Software License Agreement (proprietary)',
    ])
    // The same components, in the order the lock pins them.
    expect(rows.map((r) => r.split(' ')[0])).toEqual(linux.wheels.map((w) => w.name))
    expect(await text('[data-testid=gpu-eula]')).toBe(
      "NVIDIA's libraries (cuBLAS, cuDNN, the CUDA runtime, cuRAND, cuFFT, NVRTC) are licensed by NVIDIA under the NVIDIA Software License Agreement (the CUDA Toolkit EULA, docs.nvidia.com/cuda/eula) and the cuDNN Software License Agreement. Read them before you install.",
    )
    expect(await text('[data-testid=gpu-enable-hint]')).toBe(
      'Downloads 1.4 GB from the Python package index: this connects to files.pythonhosted.org. Nothing from your workspace is sent.',
    )
    // Not before the NVIDIA terms are accepted.
    const enable = page.locator('[data-testid=gpu-enable]')
    expect(await enable.textContent()).toContain('Enable NVIDIA GPU')
    expect(await enable.isDisabled()).toBe(true)
    await page.click('[data-testid=gpu-from-folder]')
    await page.fill('[data-testid=gpu-folder]', emptyFolder)
    expect(await page.locator('[data-testid=gpu-folder-install]').isDisabled()).toBe(true)
    await page.check('[data-testid=gpu-accept]')
    expect(await enable.isDisabled()).toBe(false)
    await screenshot(page, 'gpu-settings-install-en')

    // A folder without the wheels: refused, naming each, and nothing installed.
    await page.click('[data-testid=gpu-folder-install]')
    const error = page.locator('[data-testid=gpu-install-error]')
    await error.waitFor()
    const wheels = [linux.tool.file, ...linux.wheels.map((w) => w.file)]
    expect(((await error.textContent()) ?? '').trim()).toBe(
      `${emptyFolder} lacks 8 of the 8 wheels: ${wheels.join(', ')}. Copy them into it (docs/GPU.md lists them); the GPU pack was not installed; nothing was changed.`,
    )
    expect(await text('[data-testid=gpu-pack]')).toBe('Not installed · cuda13-ort1.30.0')
  })

  it('installs from a folder of (synthetic) wheels, shows it installed, and removes it', async () => {
    // G1's small wheels with the real names and layout, and a lock pinning them.
    const pack = await buildSyntheticPack(join(tmp, 'synthetic'))
    process.env.CTS_NVIDIA_PROC = withGpu
    process.env.CTS_GPU_PACK_LOCK = pack.lockFile
    try {
      await openSettings('en')
      await page.check('[data-testid=gpu-accept]')
      await page.click('[data-testid=gpu-from-folder]')
      await page.fill('[data-testid=gpu-folder]', pack.wheels)
      await page.click('[data-testid=gpu-folder-install]')
      // The install, then a CUDA probe in a child process: no GPU behind the fake driver.
      const installed = page.locator('[data-testid=gpu-installed]')
      await installed.waitFor({ timeout: 60_000 })
      expect(await text('[data-testid=gpu-installed]')).toBe(
        'The GPU pack was installed (22 files).',
      )
      expect(await text('[data-testid=gpu-progress]')).toBe('Done')
      await page.locator('[data-testid=gpu-pack][data-state=installed]').waitFor()
      expect(await text('[data-testid=gpu-pack]')).toBe('Installed · cuda13-ort1.30.0')
      expect(await page.locator('[data-testid=gpu-libraries] li[data-state=present]').count()).toBe(
        21,
      )
      // Why it did not start is said once, in the next step.
      expect(await text('[data-testid=gpu-cuda]')).toBe('Does not start Check now')
      expect(await text('[data-testid=gpu-next]')).toMatch(
        /^Next step: A CUDA session did not start: .+\. Restart the app; if that does not help, remove the GPU pack and enable the NVIDIA GPU again, or ask your IT department to check the NVIDIA driver\.$/,
      )
      // Installed: no install offered, removal is.
      expect(await page.locator('[data-testid=gpu-enable]').count()).toBe(0)
      await screenshot(page, 'gpu-settings-installed-en')

      await page.click('[data-testid=gpu-remove]')
      await page.locator('[data-testid=gpu-removed]').waitFor()
      expect(await text('[data-testid=gpu-removed]')).toBe(
        'The GPU pack was removed: training and prediction run on the CPU.',
      )
      // The status is re-read after "removed" shows (gpu-store remove): wait for it.
      await expect
        .poll(() => text('[data-testid=gpu-pack]'))
        .toBe('Not installed · cuda13-ort1.30.0')
      await expect.poll(() => page.locator('[data-testid=gpu-remove]').count()).toBe(0)
    } finally {
      delete process.env.CTS_GPU_PACK_LOCK
    }
  })

  it('reads the same in 简体中文', async () => {
    process.env.CTS_NVIDIA_PROC = noGpu
    await openSettings('zh-CN')
    expect(await text('[data-testid=nav-settings]')).toBe('设置')
    expect(await text('[data-testid=gpu-card]')).toBe('未找到 NVIDIA GPU')
    expect(await text('[data-testid=gpu-driver]')).toBe('未安装 （需要 580 或更新版本）')
    expect(await text('[data-testid=gpu-pack]')).toBe('未安装 · cuda13-ort1.30.0')
    expect(await text('[data-testid=gpu-cuda]')).toBe('尚未检查')
    expect(await text('[data-testid=gpu-next]')).toBe(
      '下一步：本计算机上未找到 NVIDIA GPU（或其 NVIDIA 驱动未加载）：模型在 CPU 上运行，或通过 WebGPU 在其他显卡上运行。无需安装任何内容。',
    )
    await screenshot(page, 'gpu-settings-zh')

    process.env.CTS_NVIDIA_PROC = withGpu
    await openSettings('zh-CN')
    expect(await text('[data-testid=gpu-next]')).toBe(
      '下一步：NVIDIA GPU 组件包尚未安装。请接受下方的许可条款，然后点击“启用 NVIDIA GPU”。',
    )
    expect(await text('[data-testid=gpu-enable]')).toBe('启用 NVIDIA GPU')
    expect(await text('[data-testid=gpu-accept-label]')).toBe('我接受 NVIDIA 许可条款')
    await screenshot(page, 'gpu-settings-install-zh')
  })
})

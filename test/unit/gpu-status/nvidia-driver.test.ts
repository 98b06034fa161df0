// Reading the NVIDIA driver version and onnxruntime's native error detail (issue #14).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nativeDetail, probeCudaSession } from '../../../main/ml/runtime/cuda-probe'
import {
  driverSupportsCuda,
  parseDriverVersion,
  readNvidiaInfo,
} from '../../../main/shared/nvidia-driver'

const saved = process.env.CTS_NVIDIA_PROC
afterEach(() => {
  if (saved === undefined) delete process.env.CTS_NVIDIA_PROC
  else process.env.CTS_NVIDIA_PROC = saved
})

describe('the NVIDIA driver', () => {
  it('reads the version of the proprietary and of the open kernel module', () => {
    expect(
      parseDriverVersion(
        'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n',
      ),
    ).toBe('550.54.14')
    expect(
      parseDriverVersion(
        'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build  (dvs-builder@U16)\n',
      ),
    ).toBe('580.65.06')
    expect(parseDriverVersion('GCC version: gcc version 12.2.0\n')).toBeNull()
  })

  it('CUDA 13 needs 580 or newer', () => {
    expect([null, '550.54.14', '579.99', '580.65.06', '590.1'].map(driverSupportsCuda)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ])
  })

  it('a seam folder that does not exist is a machine without NVIDIA (nvidia-smi is not asked)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-nv-'))
    process.env.CTS_NVIDIA_PROC = join(dir, 'absent')
    expect(readNvidiaInfo()).toEqual({ present: false, name: null, driver: null, source: 'none' })
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('the CUDA probe child', () => {
  it('keeps onnxruntime’s native detail, without colours, time stamp or source location', () => {
    const log =
      '\u001b[1;31m2026-12-06 21:45:25.328 [E:onnxruntime:onnxruntime-node, provider_bridge_ort.cc:2146 Create] ' +
      '/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1988 onnxruntime::Provider& ' +
      'onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library ' +
      '/p/libonnxruntime_providers_shared.so with error: /p/libonnxruntime_providers_shared.so: ' +
      'cannot open shared object file: No such file or directory\n\u001b[m\n'
    expect(nativeDetail(log)).toBe(
      'Failed to load library /p/libonnxruntime_providers_shared.so with error: ' +
        '/p/libonnxruntime_providers_shared.so: cannot open shared object file: No such file or directory',
    )
    expect(nativeDetail('nothing of interest\n')).toBeNull()
  })

  it('a child that dies or hangs is reported, never thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cts-probe-'))
    try {
      const dies = join(dir, 'dies.mjs')
      writeFileSync(
        dies,
        "process.stderr.write('CUDA failure 100: no CUDA-capable device is detected\\n'); process.abort()\n",
      )
      expect(await probeCudaSession({ entry: dies })).toEqual({
        sessionStarts: false,
        error:
          'the CUDA check stopped the process: CUDA failure 100: no CUDA-capable device is detected (signal SIGABRT)',
        bindingFrom: null,
      })
      const hangs = join(dir, 'hangs.mjs')
      writeFileSync(hangs, 'setInterval(() => {}, 1000)\n')
      expect(await probeCudaSession({ entry: hangs, timeoutMs: 1000 })).toEqual({
        sessionStarts: false,
        error: 'the CUDA check did not answer within 1 s',
        bindingFrom: null,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

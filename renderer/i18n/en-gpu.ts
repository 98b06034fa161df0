// English strings of the Settings page and its NVIDIA GPU section (issue #14 points 1 and 2): the
// status, the one next step, the licences, installing and removing the GPU pack. zh-cn-gpu.ts is
// typed against this one. Next steps never tell a clinician to run npm.
export const enGpu = {
  settings: {
    nav: 'Settings',
    title: 'Settings',
    subtitle: 'Settings of this computer, the same for every workspace.',
  },
  gpu: {
    title: 'NVIDIA GPU',
    intro:
      "Training and prediction can run on an NVIDIA graphics card. This needs the GPU pack: onnxruntime's CUDA provider and NVIDIA's libraries (about {size}), installed once for your user account.",
    loading: 'Checking this computer…',
    card: 'Graphics card',
    noCard: 'No NVIDIA GPU found',
    driver: 'NVIDIA driver',
    noDriver: 'Not installed',
    driverNeeds: '(needs {min} or newer)',
    driverTooOld: '(too old: needs {min} or newer)',
    pack: 'GPU pack',
    packStates: {
      'not-installed': 'Not installed',
      installed: 'Installed',
      damaged: 'Damaged',
    },
    folder: 'Folder',
    libraries: 'Libraries',
    fileStates: { present: 'present', missing: 'missing', damaged: 'damaged' },
    cuda: 'CUDA session',
    cudaStarts: 'Starts',
    cudaFails: 'Does not start',
    cudaNotChecked: 'Not checked yet',
    check: 'Check now',
    checking: 'Checking…',
    nextTitle: 'Next step: ',
    // The same words as `cts gpu status` (main/shared/gpu-messages.ts), with the app's own action.
    next: {
      unsupported:
        'The NVIDIA GPU pack is not available for {platform} yet (only for Linux x64): models run on the CPU, or on another GPU through WebGPU.',
      noGpu:
        'No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.',
      driverOld:
        'The NVIDIA driver on this computer is version {version}; CUDA 13 needs version {min} or newer. Ask your IT department to update the NVIDIA driver, then restart the app.',
      packMissing:
        'The NVIDIA GPU pack is not installed. Accept the licence terms below and press "Enable NVIDIA GPU".',
      packDamaged:
        'The NVIDIA GPU pack is damaged (see its libraries below). Remove it and enable the NVIDIA GPU again.',
      cudaFails:
        'A CUDA session did not start: {error}. Restart the app; if that does not help, remove the GPU pack and enable the NVIDIA GPU again, or ask your IT department to check the NVIDIA driver.',
      notChecked: 'Press "Check now" to see whether a CUDA session starts.',
      ready: 'The GPU is ready: training and prediction run on it.',
    },
    licencesTitle: 'What will be installed, and under which licence',
    colComponent: 'Component',
    colLicence: 'Licence',
    // The lock file's SPDX ids in words; an id not listed here is shown as it is.
    licenceNames: {
      MIT: 'MIT (open source)',
      'LicenseRef-NVIDIA-Proprietary': 'NVIDIA Software License Agreement (proprietary)',
    } as Record<string, string>,
    eula: "NVIDIA's libraries (cuBLAS, cuDNN, the CUDA runtime, cuRAND, cuFFT, NVRTC) are licensed by NVIDIA under the NVIDIA Software License Agreement (the CUDA Toolkit EULA, docs.nvidia.com/cuda/eula) and the cuDNN Software License Agreement. Read them before you install.",
    accept: 'I accept the NVIDIA licence terms',
    enable: 'Enable NVIDIA GPU',
    enableHint:
      'Downloads {size} from the Python package index: this connects to files.pythonhosted.org. Nothing from your workspace is sent.',
    fromFolder: 'From a folder…',
    folderLabel: 'Folder that holds the wheels',
    folderHint:
      'For computers without internet: copy the wheel files named in the table above onto this computer and give their folder. Nothing connects to the internet.',
    folderInstall: 'Install from this folder',
    folderEmpty: 'Enter the folder that holds the wheels.',
    acceptFirst: 'Accept the NVIDIA licence terms first.',
    phases: {
      download: 'Downloading',
      verify: 'Checking',
      extract: 'Unpacking',
      runpath: 'Linking the libraries',
      binding: 'Copying the onnxruntime binding',
      done: 'Done',
    },
    progress: '{done} of {total}',
    installed: 'The GPU pack was installed ({n} files).',
    alreadyInstalled: 'The GPU pack was installed already; nothing was changed.',
    remove: 'Remove GPU pack',
    removing: 'Removing…',
    removed: 'The GPU pack was removed: training and prediction run on the CPU.',
    nothingRemoved: 'No GPU pack was installed; nothing was removed.',
    failed: 'The GPU status could not be read.',
  },
}

export type GpuMessages = typeof enGpu

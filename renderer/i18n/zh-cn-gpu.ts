// 设置页及其 NVIDIA GPU 部分的简体中文文本（第 14 号议题第 1、2 点），按 en-gpu.ts 的键类型检查。
import type { GpuMessages } from './en-gpu'

export const zhCNGpu: GpuMessages = {
  settings: {
    nav: '设置',
    title: '设置',
    subtitle: '本计算机的设置，对所有工作区相同。',
  },
  gpu: {
    title: 'NVIDIA GPU',
    intro:
      '训练和预测可以在 NVIDIA 显卡上运行。这需要 GPU 组件包：onnxruntime 的 CUDA 执行提供程序和 NVIDIA 的库（约 {size}），为您的用户账户安装一次即可。',
    loading: '正在检查本计算机…',
    card: '显卡',
    noCard: '未找到 NVIDIA GPU',
    driver: 'NVIDIA 驱动',
    noDriver: '未安装',
    driverNeeds: '（需要 {min} 或更新版本）',
    driverTooOld: '（版本过旧：需要 {min} 或更新版本）',
    pack: 'GPU 组件包',
    packStates: {
      'not-installed': '未安装',
      installed: '已安装',
      damaged: '已损坏',
    },
    folder: '文件夹',
    libraries: '库',
    fileStates: { present: '完好', missing: '缺失', damaged: '已损坏' },
    cuda: 'CUDA 会话',
    cudaStarts: '可以启动',
    cudaFails: '无法启动',
    cudaNotChecked: '尚未检查',
    check: '立即检查',
    checking: '正在检查…',
    nextTitle: '下一步：',
    next: {
      unsupported:
        'NVIDIA GPU 组件包暂不支持 {platform}（仅支持 Linux x64）：模型在 CPU 上运行，或通过 WebGPU 在其他显卡上运行。',
      noGpu:
        '本计算机上未找到 NVIDIA GPU（或其 NVIDIA 驱动未加载）：模型在 CPU 上运行，或通过 WebGPU 在其他显卡上运行。无需安装任何内容。',
      driverOld:
        '本计算机上的 NVIDIA 驱动版本为 {version}；CUDA 13 需要 {min} 或更新版本。请联系信息科更新 NVIDIA 驱动，然后重新启动应用。',
      packMissing: 'NVIDIA GPU 组件包尚未安装。请接受下方的许可条款，然后点击“启用 NVIDIA GPU”。',
      packDamaged:
        'NVIDIA GPU 组件包已损坏（见下方的库列表）。请将其移除，然后重新启用 NVIDIA GPU。',
      cudaFails:
        'CUDA 会话未能启动：{error}。请重新启动应用；若仍无效，请移除 GPU 组件包后重新启用 NVIDIA GPU，或请信息科检查 NVIDIA 驱动。',
      notChecked: '点击“立即检查”，查看 CUDA 会话能否启动。',
      ready: 'GPU 已就绪：训练和预测在显卡上运行。',
    },
    licencesTitle: '将要安装的内容及其许可',
    colComponent: '组件',
    colLicence: '许可',
    licenceNames: {
      MIT: 'MIT（开源）',
      'LicenseRef-NVIDIA-Proprietary': '《NVIDIA 软件许可协议》（专有）',
    },
    eula: 'NVIDIA 的库（cuBLAS、cuDNN、CUDA 运行时、cuRAND、cuFFT、NVRTC）由 NVIDIA 依据《NVIDIA 软件许可协议》（CUDA Toolkit EULA，docs.nvidia.com/cuda/eula）和《cuDNN 软件许可协议》授权。安装前请先阅读。',
    accept: '我接受 NVIDIA 许可条款',
    enable: '启用 NVIDIA GPU',
    enableHint:
      '将从 Python 软件包索引下载 {size}：这会连接 files.pythonhosted.org。工作区中的任何内容都不会被发送。',
    fromFolder: '从文件夹安装…',
    folderLabel: '存放 wheel 文件的文件夹',
    folderHint:
      '适用于无法上网的计算机：将上表所列的 wheel 文件复制到本计算机，并填写其所在文件夹。不会连接互联网。',
    folderInstall: '从此文件夹安装',
    folderEmpty: '请填写存放 wheel 文件的文件夹。',
    acceptFirst: '请先接受 NVIDIA 许可条款。',
    phases: {
      download: '正在下载',
      verify: '正在校验',
      extract: '正在解压',
      runpath: '正在链接库',
      binding: '正在复制 onnxruntime 绑定',
      done: '完成',
    },
    progress: '{done} / {total}',
    installed: 'GPU 组件包已安装（{n} 个文件）。',
    alreadyInstalled: 'GPU 组件包此前已安装，未做任何更改。',
    remove: '移除 GPU 组件包',
    removing: '正在移除…',
    removed: 'GPU 组件包已移除：训练和预测在 CPU 上运行。',
    nothingRemoved: '未安装 GPU 组件包，未移除任何内容。',
    failed: '无法读取 GPU 状态。',
  },
}

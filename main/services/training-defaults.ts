// What 'training/defaults' returns: each model family's hyper-parameter defaults (from their one
// home, ml/train/defaults) and a one-line explanation of every training option, in en and zh-CN.
import type { TrainingDefaultsDto, TrainingOption } from '../../preload/contract/training'
import { BASELINE_DEFAULTS, BERT_DEFAULTS, DEFAULT_SEED } from '../ml/train/defaults'
import type { TrainingDefaults } from '../ml/train/defaults'
import { DEFAULT_SPLIT_FRACTIONS } from '../ml/train/split'

/** One line per option, shown next to its field so a clinician knows what changing it does. */
export const TRAINING_OPTION_HELP: Record<TrainingOption, { en: string; 'zh-CN': string }> = {
  model: {
    en: 'The starting point: the bundled English/Chinese sentence model, one you imported, or the fast baseline that learns from your texts alone.',
    'zh-CN': '起点模型：内置的中英文句子模型、您导入的模型，或仅从您的文本学习的快速基线模型。',
  },
  epochs: {
    en: 'How many times training goes through all training texts; more can fit better but takes longer and may overfit.',
    'zh-CN': '训练遍历全部训练文本的次数；次数越多拟合越好，但耗时更长，也可能过拟合。',
  },
  batchSize: {
    en: 'Texts processed together in one step; larger batches are smoother but need more memory.',
    'zh-CN': '每一步同时处理的文本数；批次越大越平稳，但占用内存越多。',
  },
  learningRate: {
    en: 'How big each update of the weights is; too high makes training unstable, too low makes it slow.',
    'zh-CN': '每次更新权重的幅度；过大训练不稳定，过小训练缓慢。',
  },
  maxLength: {
    en: 'Longest text the model reads, in tokens (baseline: distinct word and character n-grams); longer texts are cut at this length.',
    'zh-CN': '模型读取的最大长度（按词元计；基线模型按不同的词和字符 n-gram 计）；更长的文本会被截断。',
  },
  seed: {
    en: 'Fixes the random split, shuffling and starting weights, so the same seed repeats the same run.',
    'zh-CN': '固定随机划分、打乱顺序和初始权重；相同的种子可重现相同的训练。',
  },
  classWeights: {
    en: 'Gives rare labels more weight so the model does not ignore them when labels are unbalanced.',
    'zh-CN': '标签不平衡时提高少数类别的权重，避免模型忽略它们。',
  },
  freezeEmbeddings: {
    en: 'BERT only: keeps the embedding weights fixed, so each step is faster and needs less memory.',
    'zh-CN': '仅 BERT：固定词嵌入权重，每一步更快、占用内存更少。',
  },
  freezeLayers: {
    en: 'BERT only: keeps the bottom encoder layers fixed and trains only the layers above them.',
    'zh-CN': '仅 BERT：固定底部若干编码层，只训练其上的层。',
  },
  split: {
    en: 'Stratified: random 80/10/10 keeping label proportions. Grouped: the same, but all texts of one patient stay in one split. Explicit: the split column of the import.',
    'zh-CN':
      '分层：按标签比例随机划分为 80/10/10。分组：同样划分，但同一患者的所有文本只出现在同一个子集中。指定：使用导入时划分列给出的子集。',
  },
  recipe: {
    en: 'Auto (recommended) trains the baseline and each suitable pretrained model at a few learning rates within the time budget, tries an ensemble, and keeps the best on the development texts. Reference: the fixed defaults. Seed: the original script (constant rate, 5 epochs, last epoch). Manual: your settings.',
    'zh-CN':
      '自动（推荐）：在时间预算内训练基线模型，并以几种学习率微调每个合适的预训练模型，再尝试集成，按开发集结果保留最佳模型。参考：固定的默认设置。原始脚本：恒定学习率、5 轮、保留最后一轮。手动：使用您的设置。',
  },
  budgetMinutes: {
    en: 'Auto only: how many minutes the search may take; candidates that would not fit are skipped (the estimate is shown before it starts).',
    'zh-CN': '仅自动模式：搜索可用的分钟数；放不下的候选会被跳过（开始前会显示估计时间）。',
  },
  device: {
    en: 'Where training runs: auto picks a GPU when one is usable, else the CPU.',
    'zh-CN': '训练运行的设备：自动模式在可用时选择 GPU，否则使用 CPU。',
  },
}

const shown = (d: TrainingDefaults) => ({
  epochs: d.epochs,
  batchSize: d.batchSize,
  learningRate: d.learningRate,
  maxLength: d.maxLength,
})

export function trainingDefaults(): TrainingDefaultsDto {
  return {
    baseline: shown(BASELINE_DEFAULTS),
    bert: shown(BERT_DEFAULTS),
    seed: DEFAULT_SEED,
    classWeights: false,
    device: 'auto',
    split: 'stratified',
    splitFractions: [...DEFAULT_SPLIT_FRACTIONS],
    help: TRAINING_OPTION_HELP,
  }
}

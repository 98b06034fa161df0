// The report's fixed wording in English and Simplified Chinese, plus the default intended-use text
// and the limitations derived from the evaluation (small classes, wide intervals, poor calibration).
import type { ReportLocale, ReportModel, SplitName } from './report-model'

export interface ReportText {
  title: string
  run: string
  project: string
  created: string
  generated: string
  dataHash: string
  labelSnapshot: string
  labelSnapshotAt: (historyId: number, at: string) => string
  summary: string
  macroF1: string
  accuracy: string
  weightedF1: string
  macroAuc: string
  ece: string
  ci: (level: number, resamples: number) => string
  dataset: string
  label: string
  split: Record<SplitName, string>
  total: string
  duplicatesRemoved: (n: number) => string
  model: string
  modelKind: string
  baseModel: string
  /** The base model's licence; researchOnly adds that the model must not be used commercially. */
  baseModelLicence: string
  licenceUnknown: string
  researchOnlyLicence: string
  seed: string
  provider: string
  trainTime: string
  hyperparameters: string
  /** Display names of known training-config keys; others show as they are. */
  configKeys: Record<string, string>
  training: string
  epoch: string
  trainLoss: string
  devMacroF1: string
  devAccuracy: string
  noEpochs: string
  perClass: string
  precision: string
  recall: string
  f1: string
  support: string
  recallCi: (level: number) => string
  macroAvg: string
  weightedAvg: string
  confusion: string
  confusionNote: string
  trueLabel: string
  predicted: string
  curves: string
  roc: string
  pr: string
  fpr: string
  tpr: string
  auc: string
  ap: string
  undefinedCurve: string
  calibration: string
  calibrationNote: (bins: number) => string
  confidence: string
  observed: string
  bin: string
  count: string
  meanConfidence: string
  operatingPoint: string
  operatingNote: (target: string, prevalence: string, positive: string) => string
  target: string
  threshold: string
  sensitivity: string
  specificity: string
  ppv: string
  npv: string
  intendedUse: string
  defaultIntendedUse: string
  limitations: string
  fewTexts: (label: string, n: number) => string
  wideInterval: (width: string) => string
  poorCalibration: (ece: string) => string
  alwaysLimits: string[]
  notAvailable: string
}

const en: ReportText = {
  title: 'Model evaluation report',
  run: 'Run',
  project: 'Project',
  created: 'Run started',
  generated: 'Report generated',
  dataHash: 'Data snapshot',
  labelSnapshot: 'Labels as of',
  labelSnapshotAt: (id, at) => `label history entry #${id}, read ${at}`,
  summary: 'Summary',
  macroF1: 'macro F1',
  accuracy: 'Accuracy',
  weightedF1: 'weighted F1',
  macroAuc: 'macro ROC AUC',
  ece: 'Expected calibration error (ECE)',
  ci: (level, n) => `${Math.round(level * 100)}% CI (bootstrap, ${n} stratified resamples)`,
  dataset: 'Dataset',
  label: 'Label',
  split: { train: 'Train', dev: 'Dev', test: 'Test' },
  total: 'Total',
  duplicatesRemoved: (n) => `${n} duplicate text${n === 1 ? '' : 's'} removed before splitting.`,
  model: 'Model and training',
  modelKind: 'Model type',
  baseModel: 'Base model',
  baseModelLicence: 'Base model licence',
  licenceUnknown: 'unknown (the model folder does not say; check it before sharing this model)',
  researchOnlyLicence:
    'research use only: this model and any model fine-tuned from it must not be used commercially',
  seed: 'Seed',
  provider: 'Ran on',
  trainTime: 'Training time',
  hyperparameters: 'Hyper-parameters',
  configKeys: {
    model: 'Model',
    epochs: 'Epochs',
    batchSize: 'Batch size',
    learningRate: 'Learning rate',
    maxLength: 'Max length (tokens)',
    classWeights: 'Class weights',
    duplicatesRemoved: 'Duplicates removed',
    device: 'Device',
    seed: 'Seed',
  },
  training: 'Training curves',
  epoch: 'Epoch',
  trainLoss: 'Training loss',
  devMacroF1: 'Dev macro F1',
  devAccuracy: 'Dev accuracy',
  noEpochs: 'No per-epoch history was recorded for this run.',
  perClass: 'Per-class results',
  precision: 'Precision',
  recall: 'Recall (sensitivity)',
  f1: 'F1',
  support: 'Texts',
  recallCi: (level) => `Recall ${Math.round(level * 100)}% CI`,
  macroAvg: 'Macro average',
  weightedAvg: 'Weighted average',
  confusion: 'Confusion matrix',
  confusionNote:
    'Rows: true label; columns: predicted label. Each cell: count and share of its row.',
  trueLabel: 'True label',
  predicted: 'Predicted',
  curves: 'ROC and precision-recall curves',
  roc: 'ROC curve (one class vs the rest)',
  pr: 'Precision-recall curve',
  fpr: 'False-positive rate (1 − specificity)',
  tpr: 'Sensitivity',
  auc: 'AUC',
  ap: 'AP',
  undefinedCurve: 'not defined (class absent or alone in the evaluated texts)',
  calibration: 'Calibration',
  calibrationNote: (b) =>
    `Reliability diagram: texts grouped into ${b} equal-width bins of the model's top probability. ` +
    'Bars show how often the prediction was right; the diagonal is perfect calibration.',
  confidence: 'Top probability (confidence)',
  observed: 'Observed accuracy',
  bin: 'Bin',
  count: 'Texts',
  meanConfidence: 'Mean confidence',
  operatingPoint: 'Operating point',
  operatingNote: (t, p, pos) =>
    `Texts are called “${pos}” when its probability is at least the threshold. Bold: the highest threshold ` +
    `reaching sensitivity ≥ ${t}. PPV and NPV follow from Bayes' rule at a prevalence of ${p}, not from the test set's mix.`,
  target: 'Target sensitivity',
  threshold: 'Threshold',
  sensitivity: 'Sensitivity',
  specificity: 'Specificity',
  ppv: 'PPV',
  npv: 'NPV',
  intendedUse: 'Intended use',
  defaultIntendedUse:
    'Decision support for sorting and reviewing clinical texts by a qualified clinician. ' +
    'The model does not make diagnoses; every output must be checked by a person before it affects care.',
  limitations: 'Limitations',
  fewTexts: (l, n) =>
    `“${l}” has only ${n} evaluated text${n === 1 ? '' : 's'}; its figures are unreliable.`,
  wideInterval: (w) =>
    `The macro F1 confidence interval is ${w} wide: more labelled test texts would make it firmer.`,
  poorCalibration: (e) =>
    `Calibration error is ${e}: read the probabilities as rankings, not as risks.`,
  alwaysLimits: [
    'Results hold for texts like the ones evaluated (same sources, period, writing style and prevalence); validate on local data before use.',
    'Labels were assigned by the project’s annotators; their errors and disagreements are part of these figures.',
  ],
  notAvailable: '—',
}

const zh: ReportText = {
  title: '模型评估报告',
  run: '运行',
  project: '项目',
  created: '运行开始',
  generated: '报告生成',
  dataHash: '数据快照',
  labelSnapshot: '标注截至',
  labelSnapshotAt: (id, at) => `标注历史第 ${id} 条，读取于 ${at}`,
  summary: '摘要',
  macroF1: '宏平均 F1',
  accuracy: '准确率',
  weightedF1: '加权 F1',
  macroAuc: '宏平均 ROC AUC',
  ece: '期望校准误差 (ECE)',
  ci: (level, n) => `${Math.round(level * 100)}% 置信区间（自助法，${n} 次分层重抽样）`,
  dataset: '数据集',
  label: '标签',
  split: { train: '训练集', dev: '验证集', test: '测试集' },
  total: '合计',
  duplicatesRemoved: (n) => `划分前去除了 ${n} 条重复文本。`,
  model: '模型与训练',
  modelKind: '模型类型',
  baseModel: '基础模型',
  baseModelLicence: '基础模型许可',
  licenceUnknown: '未知（模型文件夹未注明许可；分享此模型前请先核实）',
  researchOnlyLicence: '仅供研究使用：此模型及由其微调的任何模型均不得用于商业用途',
  seed: '随机种子',
  provider: '运行设备',
  trainTime: '训练时长',
  hyperparameters: '超参数',
  configKeys: {
    model: '模型',
    epochs: '训练轮数',
    batchSize: '批大小',
    learningRate: '学习率',
    maxLength: '最大长度（词元）',
    classWeights: '类别权重',
    duplicatesRemoved: '去除重复数',
    device: '设备',
    seed: '随机种子',
  },
  training: '训练曲线',
  epoch: '轮次',
  trainLoss: '训练损失',
  devMacroF1: '验证集宏平均 F1',
  devAccuracy: '验证集准确率',
  noEpochs: '此运行未记录逐轮历史。',
  perClass: '各类别结果',
  precision: '精确率',
  recall: '召回率（灵敏度）',
  f1: 'F1',
  support: '文本数',
  recallCi: (level) => `召回率 ${Math.round(level * 100)}% 置信区间`,
  macroAvg: '宏平均',
  weightedAvg: '加权平均',
  confusion: '混淆矩阵',
  confusionNote: '行：真实标签；列：预测标签。每格：数量及占该行的比例。',
  trueLabel: '真实标签',
  predicted: '预测',
  curves: 'ROC 曲线与精确率-召回率曲线',
  roc: 'ROC 曲线（一对其余）',
  pr: '精确率-召回率曲线',
  fpr: '假阳性率（1 − 特异度）',
  tpr: '灵敏度',
  auc: 'AUC',
  ap: 'AP',
  undefinedCurve: '无法计算（评估文本中缺少该类别或只有该类别）',
  calibration: '校准',
  calibrationNote: (b) =>
    `可靠性图：按模型最高概率分为 ${b} 个等宽区间。柱高为预测正确的比例；对角线表示完美校准。`,
  confidence: '最高概率（置信度）',
  observed: '实际准确率',
  bin: '区间',
  count: '文本数',
  meanConfidence: '平均置信度',
  operatingPoint: '工作点',
  operatingNote: (t, p, pos) =>
    `当“${pos}”的概率不低于阈值时判为阳性。粗体：灵敏度 ≥ ${t} 的最高阈值。` +
    `阳性预测值与阴性预测值按患病率 ${p} 用贝叶斯公式计算，而非按测试集的构成。`,
  target: '目标灵敏度',
  threshold: '阈值',
  sensitivity: '灵敏度',
  specificity: '特异度',
  ppv: '阳性预测值',
  npv: '阴性预测值',
  intendedUse: '预期用途',
  defaultIntendedUse:
    '供具备资质的临床人员对临床文本进行分拣与复核的辅助工具。模型不做诊断；任何输出在影响诊疗前都必须经人工核对。',
  limitations: '局限性',
  fewTexts: (l, n) => `“${l}”仅有 ${n} 条评估文本，其指标不可靠。`,
  wideInterval: (w) => `宏平均 F1 的置信区间宽度为 ${w}：更多已标注的测试文本可使其更稳定。`,
  poorCalibration: (e) => `校准误差为 ${e}：请将概率视为排序依据，而非风险值。`,
  alwaysLimits: [
    '结果仅适用于与评估文本相似的文本（相同来源、时期、书写风格和患病率）；使用前请在本地数据上验证。',
    '标签由项目标注人员给出；其错误与分歧也包含在这些指标中。',
  ],
  notAvailable: '—',
}

export function reportText(locale: ReportLocale): ReportText {
  return locale === 'zh-CN' ? zh : en
}

/** Classes with fewer evaluated texts than this are flagged as unreliable. */
export const FEW_TEXTS = 10
/** A macro-F1 interval wider than this is flagged. */
export const WIDE_INTERVAL = 0.1
/** An ECE above this is flagged. */
export const POOR_ECE = 0.1

/** The user's limitations, then those the evaluation itself shows, then the standing ones. */
export function derivedLimitations(
  m: ReportModel,
  t: ReportText,
  fmt: (v: number) => string,
): string[] {
  const out = [...m.limitations]
  m.classification.perClass.forEach((c) => {
    if (c.support < FEW_TEXTS)
      out.push(t.fewTexts(m.dataset.labels[c.label] ?? String(c.label), c.support))
  })
  const width = m.intervals.macroF1.upper - m.intervals.macroF1.lower
  if (width > WIDE_INTERVAL) out.push(t.wideInterval(fmt(width)))
  if (m.calibration.ece > POOR_ECE) out.push(t.poorCalibration(fmt(m.calibration.ece)))
  return [...out, ...t.alwaysLimits]
}

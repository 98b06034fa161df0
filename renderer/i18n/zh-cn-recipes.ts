// 训练页“训练方案”选择与研究面板（自动方案）的简体中文文本，按 en-recipes.ts 的类型检查。
import type { RecipesMessages } from './en-recipes'

export const zhCNRecipes: RecipesMessages = {
  recipes: {
    recipe: '训练方案',
    auto: '自动（推荐）',
    reference: '参考',
    seed: '原始脚本',
    manual: '手动',
    autoHint:
      '在时间预算内训练基线模型，并以几种学习率微调每个合适的预训练模型，再尝试集成，按开发集结果保留最佳模型。下面的设置会自动选择；修改任一项即切换为手动。',
    referenceHint: '固定的默认设置：预热与衰减、提前停止、保留最佳轮次。',
    seedHint: '原始脚本：恒定学习率 2e-5、批次 16、5 轮、128 个词元，保留最后一轮。',
    manualHint: '完全使用下面的设置。',
    budget: '时间预算（分钟）',
    studyTitle: '研究 {id}：寻找最佳模型',
    studyStatus: '状态：{status} · 已用 {elapsed} / {budget} 分钟',
    candidate: '候选',
    status: '状态',
    devF1: '开发集宏平均 F1',
    time: '用时',
    estimate: '估计',
    planFits: '{label}：约 {time}（{epochs} 轮，每轮 {epoch}）',
    planSkipped: '{label}：预算不够（3 轮需 {time}）',
    planTimed: '根据对本机的测速估计；每轮结束后修正。',
    planRough:
      '根据词元数的粗略估计：研究开始时会先对本机做一次短时测速（计入预算）替换它，并在每轮结束后修正。',
    studyRemaining: '预算剩余 {remaining} 分钟',
    firstEstimate: '最初估计 {time}',
    estimateHelp: '开始前根据对本机的短时测速估计；每轮结束后按实测时间修正。',
    epochs: '轮次',
    winner: '胜出',
    cancel: '停止研究',
    testOnce: '测试文本只评分一次，仅由胜出模型（运行 {id}）评分。',
    resume: '继续研究',
    openWinner: '打开胜出模型',
    statuses: {
      running: '进行中',
      success: '完成',
      cancelled: '已停止',
      error: '失败',
      skipped: '已跳过',
    },
  },
}

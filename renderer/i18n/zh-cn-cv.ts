// 评估页“交叉验证与学习曲线”部分的简体中文文本，按 en-cv.ts 的类型检查。
import type { CvMessages } from './en-cv'

export const zhCNCv: CvMessages = {
  cv: {
    title: '交叉验证与学习曲线',
    hint: '训练 {k} 个模型，每个模型留出训练文本中的一折并对其预测：每条训练文本只被一个未见过它的模型预测一次。测试文本不参与。学习曲线再用 10%、25% 和 50% 的训练文本重复这一过程。',
    folds: '折数',
    model: '模型',
    baseline: '基线模型（数秒）',
    runModel: '本次运行的模型：{name}（在 CPU 上较慢）',
    curve: '学习曲线',
    start: '交叉验证',
    cancel: '取消',
    estimate: '共训练 {n} 次，{texts} 条文本，约需 {time}。',
    estimateBasis: '（根据之前的运行估计）',
    running: '正在训练第 {task}/{tasks} 个模型（第 {fold} 折，{share} 的文本）{eta}',
    eta: '，约剩 {time}',
    cancelled: '交叉验证已取消。',
    failed: '交叉验证失败：{message}',
    none: '此项目尚未做过交叉验证。',
    of: '对 {model} 做 {k} 折{split}交叉验证，训练文本 {texts} 条（{test} 条测试文本未参与），{date}。',
    stratified: '分层',
    grouped: '按患者分组',
    pooled: '合并宏平均 F1',
    pooledHint: '基于全部折外预测；95% 置信区间 {lo}–{hi}',
    accuracy: '合并准确率',
    spread: '各折均值 ± 标准差',
    fold: '折',
    trainTexts: '训练文本',
    evalTexts: '留出文本',
    macroF1: '宏平均 F1',
    interval: '95% 置信区间',
    curveTitle: '学习曲线',
    share: '训练文本所占比例',
    estimateLine: '宏平均 F1',
    ciLine: '95% 置信区间',
    verdict: {
      likely:
        '训练文本从 50% 增加到 100%，宏平均 F1 变化 {gain}（95% 置信区间 {lo} 至 {hi}）：再标注更多文本很可能有帮助。',
      plateau:
        '训练文本从 50% 增加到 100%，宏平均 F1 变化 {gain}（95% 置信区间 {lo} 至 {hi}）：曲线已趋平，再标注同类文本帮助可能不大。',
      unclear:
        '训练文本从 50% 增加到 100%，宏平均 F1 变化 {gain}（95% 置信区间 {lo} 至 {hi}）：不确定性太大，无法判断更多标注是否有帮助；可再标注一些后重新交叉验证。',
    },
  },
}

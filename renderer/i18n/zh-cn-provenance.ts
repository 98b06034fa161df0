// Simplified Chinese strings of a run's "Labels and agreement" panel (LabelProvenance.vue).
import type { ProvenanceMessages } from './en-provenance'

export const zhCNProvenance: ProvenanceMessages = {
  provenance: {
    title: '标签与一致性',
    annotators: '标注者：{names}',
    oneAnnotator: '标签由一名标注者给出（{name}）。',
    reference: '参考标签来自导入的文件。',
    policyExclude:
      '金标准标签：有裁决的文本采用裁决结果；否则采用标注者中严格多数选择的标签；票数相同时该文本不参与训练。',
    policyAnnotator:
      '金标准标签：有裁决的文本采用裁决结果；否则采用标注者中严格多数选择的标签；票数相同时采用 {name} 的标签（{name} 未标注该文本时，该文本不参与训练）。',
    how: '金标准标签的来源',
    texts: '文本数',
    counts: {
      adjudicated: '裁决',
      agreed: '标注者一致',
      majority: '严格多数',
      single: '仅一名标注者',
      tieAnnotator: '票数相同：采用 {name} 的标签',
      excluded: '票数相同：不参与训练',
      reference: '导入文件中的参考标签',
      none: '无标签（不参与训练）',
    },
    statistic: '统计量',
    estimate: '估计值',
    ci: '95% 置信区间（自助法）',
    alpha: 'Krippendorff α（名义）',
    cohen: 'Cohen κ（{a} – {b}）',
    fleiss: 'Fleiss κ',
    pair: '{a} 与 {b} 共同标注了 {n} 条文本，其中 {observed} 的标签完全相同。',
    noFleiss: '未给出 Fleiss κ：各文本的标注者人数不同。',
    noOverlap: '没有文本由两名及以上标注者标注，因此无法衡量一致性。',
    snapshot: '数值为本次运行读取训练文本时的状态。',
  },
}

// 去标识化（第 15 号议题第 3 点）的简体中文文本，按 en-deid.ts 的键类型检查。
import type { DeidMessages } from './en-deid'

export const zhCNDeid: DeidMessages = {
  deid: {
    title: '导入前去标识化',
    hint: '姓名、电话号码、身份证号、病历号、电子邮箱、网址和 IP 地址、日期、89 岁以上的年龄以及地址，在保存前都会替换为 [PHONE] 这样的标记，原文不会保留。仅在被遮盖内容上不同的文本将视为重复。只有文本列会去标识化：编号列或患者 / 分组列只有在不含身份信息时才应映射。',
    keepYear: '日期保留年份（“[DATE] 2023”）',
    checking: '正在检查文件的每一行…',
    summary: '{texts} 条文本中有 {withPhi} 条含有受保护的健康信息。',
    none: '此列中未发现需要遮盖的内容。',
    kind: '类型',
    found: '数量',
    examples: '示例（即保存后的样子）',
    imported: '文本已在保存前去标识化。',
    exportOption: '去标识化',
    exportHint: '遮盖导出文本中的姓名、电话号码、身份证号等',
    reportOption: '报告去标识化',
    types: {
      NAME: '姓名',
      PHONE: '电话号码',
      ID_NUMBER: '身份证号',
      MRN: '病历号',
      INSURANCE: '医保号',
      EMAIL: '电子邮箱',
      URL: '网址',
      IP: 'IP 地址',
      DATE: '日期',
      AGE: '89 岁以上年龄',
      ADDRESS: '地址',
    },
  },
}

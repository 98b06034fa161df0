// 多人标注（标注者选择、盲法、项目的标注设置与每位标注者的进度、导入标签的标注者）的简体中文文本，
// 按 en-annotators.ts 的类型检查。
import type { AnnotatorsMessages } from './en-annotators'

export const zhCNAnnotators: AnnotatorsMessages = {
  annotators: {
    chooserTitle: '当前标注者是谁？',
    chooserIntro:
      '您设置的每个标签都会记录在此姓名下，以便计算标注者之间的一致性。多人可共用这台电脑：在顶栏切换姓名即可。',
    name: '您的姓名',
    nameHint: '将显示在一致性表格和训练记录中，例如：李医生。',
    nameRequired: '请输入姓名。',
    known: '本机已使用的姓名',
    labelsBy: '尚无标注 | 已标注 1 条文本 | 已标注 {n} 条文本',
    use: '以 {name} 身份继续',
    useEmpty: '继续',
    current: '当前标注者',
    switch: '切换',
    switchTitle: '切换标注者',
    noProfile: '未选择标注者',
    blinded: '盲法：此文本为双人标注，其他标注者的标签和模型建议均已隐藏。',
    settingsTitle: '标注者',
    settingsIntro:
      '在团队成员之间分配文本；按固定种子抽取一部分文本，由多人各自独立标注，用于计算一致性。',
    team: '团队成员',
    teamHint: '姓名之间用逗号分隔。留空表示不分配，任何人都可标注任意文本。',
    overlap: '双人标注文本',
    overlapUnit: '% 的文本',
    overlapAnnotators: '每条双人标注文本的标注人数',
    blind: '双人标注文本采用盲法',
    blindHint: '标注者在这些文本上既看不到他人的标签，也看不到模型建议。',
    tiePolicy: '标注者意见不一致时（无多数意见且未经仲裁）',
    tieExclude: '该文本不参与训练',
    tieAnnotator: '采用指定标注者的标签',
    tieAnnotatorName: '以其标签为准的标注者',
    tieAnnotatorMissing: '请选择以其标签为准的标注者。',
    overlapInvalid: '请输入 0 到 100 之间的百分比。',
    overlapAnnotatorsInvalid: '至少 2 人，且不超过团队人数。',
    saveSettings: '保存设置',
    saving: '正在保存…',
    saved: '已保存',
    progressTitle: '各标注者进度',
    progressSummary:
      '共 {texts} 条文本，其中 {overlap} 条用于双人标注，{multiple} 条已有两人及以上标注',
    colAnnotator: '标注者',
    colDone: '已标注 / 分配',
    colOverlap: '双人标注',
    noProgress: '本项目尚无人标注。',
    importBy: '此文件中的标签标注者',
    importByNobody: '未指定——作为参考标签',
    importByHint:
      '参考标签仅在无人标注该文本时作为金标准，且不计入一致性。选择某位标注者，则文件中的标签记为其标注。',
  },
}

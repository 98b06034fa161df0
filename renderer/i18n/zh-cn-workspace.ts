// 加密工作区的简体中文文本：解锁对话框与“加密此工作区”（第 15 号议题第 2 点），按 en-workspace.ts 的键类型检查。
import type { WorkspaceMessages } from './en-workspace'

export const zhCNWorkspace: WorkspaceMessages = {
  unlock: {
    title: '解锁工作区',
    body: '此工作区已加密。请输入口令以打开其中的项目、文本和标注。',
    passphrase: '口令',
    submit: '解锁',
    unlocking: '正在解锁…',
    empty: '请输入口令。',
    failed: '无法解锁工作区。',
    hint: '没有口令，任何人（包括您本人）都无法读取此工作区，且无法重置口令。',
  },
  encrypt: {
    button: '加密工作区',
    buttonTitle: '用口令加密此工作区',
    encrypted: '已加密',
    encryptedTitle: '此工作区已加密：只有输入口令才能打开',
    title: '加密此工作区',
    body: '项目、文本、标注以及训练所得模型的文件都将加密保存。此后每次启动应用都需要输入口令。',
    option: '加密此工作区',
    optionHint: '建议在笔记本电脑上启用：电脑被盗也不会泄露病历文本。',
    passphrase: '口令',
    confirm: '再次输入口令',
    minLength: '至少 {n} 个字符；几个互不相关的词最好。',
    warning: '请记下口令并妥善保管。口令一旦丢失，任何人都无法再打开此工作区，且无法找回。',
    submit: '加密',
    encrypting: '正在加密…',
    tooShort: '口令太短：请至少使用 {n} 个字符。',
    mismatch: '两次输入的口令不一致。',
    failed: '无法加密工作区。',
    done: '工作区已加密。',
  },
}

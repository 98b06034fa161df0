// 团队工作区（issue #17）的中文文本：“连接到团队工作区”、显示服务器的标记，以及服务器无法连接时的
// “正在重新连接”与“未保存”。
import type { TeamMessages } from './en-team'

export const zhCNTeam: TeamMessages = {
  team: {
    button: '团队工作区…',
    buttonTitle: '将此工作区连接到 PostgreSQL 服务器上的团队工作区',
    badge: '团队：{where}',
    badgeTitle: '这是位于 {where} 的团队工作区，登录用户 {user}；本应用只连接该服务器。',
    title: '连接到团队工作区',
    body: '多位医生在医院运行的 PostgreSQL 服务器上共同标注同一语料。请向管理员索取服务器地址、用户名和密码。',
    server: '服务器',
    serverHint: '主机:端口/数据库，例如 db.hospital.example:5432/labels',
    user: '用户名',
    password: '密码',
    passwordHint: '密码保存在本机的系统钥匙串中，绝不保存在工作区文件夹里。',
    emptyOnly: '只能连接空的工作区：否则本地工作区中的项目将被隐藏。',
    submit: '连接',
    connecting: '正在连接…',
    needServer: '请输入服务器地址。',
    needUser: '请输入用户名。',
    badServer: '请按 主机:端口/数据库 的格式填写服务器（不含用户名和密码）。',
    failed: '无法连接工作区。',
    reconnecting: '正在重新连接团队工作区…',
    reconnectingTitle:
      '团队工作区服务器 {where} 自 {since} 起没有响应（{reason}）。在服务器恢复响应之前，标注不会被保存；本应用会持续重试。',
    reconnectingTitleNoReason:
      '团队工作区服务器 {where} 自 {since} 起没有响应。在服务器恢复响应之前，标注不会被保存；本应用会持续重试。',
    notSaved: '未保存',
    notSavedReconnecting: '未保存：无法连接团队工作区服务器。正在重新连接…',
    notSavedBack: '未保存：刚才无法连接团队工作区服务器。连接已恢复，请再按一次该键保存。',
    unreachableReconnecting: '无法连接团队工作区服务器。正在重新连接…',
    unreachableBack: '与团队工作区服务器的连接已恢复，请重试。',
  },
}

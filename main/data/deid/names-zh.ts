// NAME (Chinese): a surname (compound first) + 1–2 given-name characters after a cue (患者, 姓名,
// 家属, 医生 …) or before a title (医生, 主任, 先生, 女士 …). The name must end at a boundary
// (punctuation, a title, or a word like 因/于/男) so "患者高热3天" or "李斯特菌" is never a name.
import { matchAll, type Candidate } from './types'
import { COMPOUND_SURNAMES, SINGLE_SURNAMES } from './zh-surnames'

const SURNAME = `(?:${COMPOUND_SURNAMES.join('|')}|[${SINGLE_SURNAMES.join('')}])`
const TITLES = '医生|医师|主任|先生|女士|小姐|护士|护师|教授|大夫|老师|院长|同志|阿姨|师傅'
const CUES =
  '患者|病人|病患|姓名|家属|联系人|监护人|代理人|委托人|医生|医师|主任|护士|护师|先生|女士|同志|' +
  '主治医师|住院医师|主任医师|主管医师|主诊医生|管床医生|责任护士|报告医生|审核医生|审核|记录者|记录人|签名|' +
  '其子|其女|之子|之女|儿子|女儿|丈夫|妻子|配偶|其夫|其妻|母亲|父亲|孙子|孙女'
// Characters that end a name: punctuation, space, a title or these function words.
const AFTER_NAME =
  /^(?:$|[\s，。、；：:,.;!?！？（(）)“”"'《》【】\-—]|男|女|因|于|在|诉|自|今|昨|现|来|的|是|为|入|出|等|和|与|及|从|已|经|行|无|有|以|被|将|对|到|由|说|称|主诉|年|岁|记录|签名|签字|查房|接诊|会诊|报告|审核|负责|陪同|陪护|代诉|同意|表示|要求|拒绝|告知|电话|手机|联系|(?:TITLES))/
// Surnames that are far more often particles/adverbs ("请向医生咨询") never stand alone before a title.
const SURNAME_ONLY_BLOCK = new Set('向和于万时常成安明全应尚能')
const TITLE_START = new RegExp(`^(?:${TITLES})`)
const AFTER = new RegExp(AFTER_NAME.source.replace('(?:TITLES)', TITLES))
// Characters that never sit in a given name in clinical notes (verbs, time words, body/clinic words).
const NOT_GIVEN = new Set(
  '因于在诉自今昨现来的是为年岁入出等和与及从已经患行术无有了后前时日月天晨夜以被将对到由给主伴并突近既曾反首初再次服口男女多院外门急诊科室病症治疗药检查血尿便咳痛热压糖脂酸素身侧体肢部腹胸头颈腰背心肝脾肺肾胃肠骨皮肤'.split(
    '',
  ),
)
// Clinical words that start with a surname character; a candidate inside one is not a name.
const CLINICAL_WORDS = (
  '高血压 高血糖 高血脂 高热 高烧 高危 高龄 高度 高钾 高钠 高钙 高尿酸 黄疸 黄染 黄体 白细胞 白蛋白 白内障 ' +
  '白血病 白斑 石膏 金黄色 李斯特 张力 方案 方法 常规 常见 安静 安眠 平素 平卧 全身 全麻 于今 于昨 ' +
  '于外院 曾于 曾因 曾行 时间 明显 明确 文化 和缓 齐全 易感 应用 连续 单侧 单纯 华法林 戴氏 甘油 ' +
  '甘露醇 毛细 毛发 骨质 包块 包括 向心 通过 沙丁胺醇 司可巴比妥 康复 申请 宁心 苏醒 田氏 费用 ' +
  '尚可 尚未 尚好 尚能 尚平稳 成功 温度 温和 温热 时有 时常 常有 安全 安置 全程 全天 明日 向上 向下'
).split(' ')

function isClinicalWord(text: string, start: number): boolean {
  return CLINICAL_WORDS.some((w) => text.startsWith(w, start))
}

/** The longest surname+given name starting at `at` that ends at a boundary; 0 when none. */
function nameLengthAt(text: string, at: number, allowSurnameOnly: boolean): number {
  const sur =
    COMPOUND_SURNAMES.find((s) => text.startsWith(s, at))?.length ??
    (SINGLE_SURNAMES.includes(text[at]) ? 1 : 0)
  if (sur === 0 || isClinicalWord(text, at)) return 0
  // "黄医生": the title follows the surname directly, so there is no given name to take.
  if (TITLE_START.test(text.slice(at + sur))) {
    return allowSurnameOnly && !SURNAME_ONLY_BLOCK.has(text.slice(at, at + sur)) ? sur : 0
  }
  for (const given of [2, 1]) {
    const g = text.slice(at + sur, at + sur + given)
    if (
      g.length !== given ||
      ![...g].every((ch) => /[\u4e00-\u9fff]/.test(ch) && !NOT_GIVEN.has(ch))
    )
      continue
    if (AFTER.test(text.slice(at + sur + given))) return sur + given
  }
  return 0
}

// Characters after which a lone surname + title reads as a person ("请示刘主任", "由张医生"), where
// "主任医师" or "责任护士" would not (任 is a surname too).
const AFTER_VERB_CHARS = '由请找向与和及的给被让示问告报邀约叫跟同陪等位名见'

const CUE_RE = new RegExp(`(?:${CUES})[：:\\s]*(?=${SURNAME})`, 'g')
const TITLE_RE = new RegExp(`${SURNAME}[\\u4e00-\\u9fff]{0,2}(?=${TITLES})`, 'g')

export function findChineseNames(text: string): Candidate[] {
  const out: Candidate[] = []
  for (const m of text.matchAll(CUE_RE)) {
    const at = m.index! + m[0].length
    const len = nameLengthAt(text, at, true)
    if (len > 0) out.push({ type: 'NAME', start: at, end: at + len, priority: 2 })
  }
  // Before a title: "陈伟医生", "刘主任" — a lone surname only after a non-Chinese character
  // or a verb/particle like 由/请/示 (AFTER_VERB_CHARS), so "主管医生" is not 管 + 医生.
  for (const c of matchAll(text, TITLE_RE, 'NAME', 2)) {
    for (let at = c.start; at < c.end; at++) {
      const prev = text[at - 1] ?? ''
      const surnameOnlyOk = !/[\u4e00-\u9fff]/.test(prev) || AFTER_VERB_CHARS.includes(prev)
      const len = nameLengthAt(text, at, surnameOnlyOk)
      if (len > 0 && at + len === c.end) {
        out.push({ type: 'NAME', start: at, end: at + len, priority: 2 })
        break
      }
    }
  }
  return out
}

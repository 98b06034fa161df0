// vue-i18n set-up: zh-CN and en, the chosen language persisted in localStorage. Composition API
// only (legacy: false); messages are plain strings that vue-i18n interprets without eval.
import { createI18n } from 'vue-i18n'
import { en } from './en'
import { zhCN } from './zh-cn'
import { enAnnotators } from './en-annotators'
import { zhCNAnnotators } from './zh-cn-annotators'
import { enAgreement } from './en-agreement'
import { zhCNAgreement } from './zh-cn-agreement'
import { enProvenance } from './en-provenance'
import { zhCNProvenance } from './zh-cn-provenance'
import { enDeid } from './en-deid'
import { zhCNDeid } from './zh-cn-deid'
import { enAudit } from './en-audit'
import { zhCNAudit } from './zh-cn-audit'
import { enWorkspace } from './en-workspace'
import { zhCNWorkspace } from './zh-cn-workspace'
import { enGpu } from './en-gpu'
import { zhCNGpu } from './zh-cn-gpu'
import { enTeam } from './en-team'
import { zhCNTeam } from './zh-cn-team'

export type Locale = 'en' | 'zh-CN'
export const locales: { code: Locale; name: string }[] = [
  { code: 'zh-CN', name: '简体中文' },
  { code: 'en', name: 'English' },
]

const storageKey = 'cts.locale'

function initialLocale(): Locale {
  const saved = localStorage.getItem(storageKey)
  if (saved === 'en' || saved === 'zh-CN') return saved
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: {
    en: {
      ...en,
      ...enAnnotators,
      ...enAgreement,
      ...enProvenance,
      ...enDeid,
      ...enAudit,
      ...enWorkspace,
      ...enGpu,
      ...enTeam,
    },
    'zh-CN': {
      ...zhCN,
      ...zhCNAnnotators,
      ...zhCNAgreement,
      ...zhCNProvenance,
      ...zhCNDeid,
      ...zhCNAudit,
      ...zhCNWorkspace,
      ...zhCNGpu,
      ...zhCNTeam,
    },
  },
  datetimeFormats: {
    en: { short: { year: 'numeric', month: 'short', day: 'numeric' } },
    'zh-CN': { short: { year: 'numeric', month: 'long', day: 'numeric' } },
  },
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(storageKey, locale)
  reflectLocale()
}

/** The page's lang (fonts and line breaking for CJK) and the window title follow the language. */
function reflectLocale(): void {
  document.documentElement.lang = i18n.global.locale.value
  document.title = i18n.global.t('app.name')
}

reflectLocale()

// The "Connect to a team workspace" form: the address it builds from server and user name (never
// with a password), what it says about bad fields, and its strings in both languages.
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { teamUrl } from '../../../renderer/components/team/team-url'
import { enTeam } from '../../../renderer/i18n/en-team'
import { zhCNTeam } from '../../../renderer/i18n/zh-cn-team'

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )

describe('teamUrl', () => {
  it('builds postgres://user@host:port/database from the two fields', () => {
    const built = teamUrl(' db.hospital.example:6543/labels ', '王医生')
    expect(built).toEqual({
      url: 'postgres://%E7%8E%8B%E5%8C%BB%E7%94%9F@db.hospital.example:6543/labels',
    })
  })

  it('takes a postgres:// address, the default port and options', () => {
    expect(teamUrl('postgresql://10.1.2.3/ward7?sslmode=verify-full', 'dr.li')).toEqual({
      url: 'postgres://dr.li@10.1.2.3:5432/ward7?sslmode=verify-full',
    })
    expect(teamUrl('[fd00::5]:5433/ward7', 'dr.li')).toEqual({
      url: 'postgres://dr.li@[fd00::5]:5433/ward7',
    })
  })

  it.each([
    ['', 'dr.li', 'team.needServer'],
    ['db:5432/labels', ' ', 'team.needUser'],
    ['db:5432', 'dr.li', 'team.badServer'],
    ['dr.li:secret@db:5432/labels', 'dr.li', 'team.badServer'],
    ['db:99999/labels', 'dr.li', 'team.badServer'],
  ])('refuses server %j with user %j: %s', (server, user, problem) => {
    expect(teamUrl(server, user)).toEqual({ problem })
  })
})

describe('team strings', () => {
  it('has the same keys in English and Chinese', () => {
    expect(keys(zhCNTeam)).toEqual(keys(enTeam))
  })

  it('names the server in the badge in both languages', () => {
    const i18n = createI18n({
      legacy: false,
      locale: 'en',
      messages: { en: enTeam, 'zh-CN': zhCNTeam },
    })
    expect(i18n.global.t('team.badge', { where: 'db:5432/labels' })).toBe('Team: db:5432/labels')
    i18n.global.locale.value = 'zh-CN'
    expect(i18n.global.t('team.badge', { where: 'db:5432/labels' })).toBe('团队：db:5432/labels')
  })
})

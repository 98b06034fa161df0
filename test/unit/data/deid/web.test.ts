// EMAIL, URL and IP: addresses, links (sentence punctuation trimmed), IPv4 octet ranges, IPv6.
import { describe, expect, it } from 'vitest'
import { found } from './helpers'

describe('e-mail, URLs and IP addresses', () => {
  it('finds e-mail addresses and URLs without trailing punctuation', () => {
    expect(
      found(
        'Mail linda.carter72@mailbox.org, see https://pacs.example.org/study/88213. Or www.mychart.net/login。报告见http://lis.example.cn/r/1，谢谢',
      ),
    ).toEqual([
      ['EMAIL', 'linda.carter72@mailbox.org'],
      ['URL', 'https://pacs.example.org/study/88213'],
      ['URL', 'www.mychart.net/login'],
      ['URL', 'http://lis.example.cn/r/1'],
    ])
  })

  it('keeps a Chinese query value inside the URL but stops at Chinese text after it', () => {
    expect(found('网址 https://www.example.com/path?q=心电图&id=123，访问www.x.com了解')).toEqual([
      ['URL', 'https://www.example.com/path?q=心电图&id=123'],
      ['URL', 'www.x.com'],
    ])
  })

  it('finds IPv4 only with octets 0–255 and not in version numbers', () => {
    expect(found('gw 192.168.40.17, bad 256.1.1.1, firmware 4.2.0, version 3.2.1.4')).toEqual([
      ['IP', '192.168.40.17'],
    ])
  })

  it('finds IPv6, compressed and with an embedded IPv4 tail, but not a clock time', () => {
    expect(found('from 2001:db8:85a3::8a2e:370:7334 and ::ffff:192.0.2.128 at 10:30:00')).toEqual([
      ['IP', '2001:db8:85a3::8a2e:370:7334'],
      ['IP', '::ffff:192.0.2.128'],
    ])
  })
})

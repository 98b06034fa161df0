// ADDRESS: Chinese province/city/district/road/number/estate/building/room, US street addresses.
import { describe, expect, it } from 'vitest'
import { found } from './helpers'

describe('addresses', () => {
  it('finds Chinese addresses down to the room', () => {
    expect(
      found(
        '现住浙江省杭州市西湖区文三路478号华星时代广场2栋1单元1502室。户籍地址：上海市徐汇区漕溪北路88号。',
      ),
    ).toEqual([
      ['ADDRESS', '浙江省杭州市西湖区文三路478号华星时代广场2栋1单元1502室'],
      ['ADDRESS', '上海市徐汇区漕溪北路88号'],
    ])
  })

  it('finds a Chinese address after a cue without a province', () => {
    expect(found('住址：朝阳区建国路88号SOHO现代城5号楼')).toEqual([
      ['ADDRESS', '朝阳区建国路88号SOHO现代城5号楼'],
    ])
  })

  it('finds an address in any city when it reaches a numbered road or an estate', () => {
    expect(
      found('患者于绵阳市涪城区临园路东段62号就诊。来自宜宾市翠屏区南岸东区阳光花园5栋。'),
    ).toEqual([
      ['ADDRESS', '绵阳市涪城区临园路东段62号'],
      ['ADDRESS', '宜宾市翠屏区南岸东区阳光花园5栋'],
    ])
  })

  it('does not take hospital wards or the digestive tract for addresses', () => {
    expect(found('于外科病区行消化道造影。转入心内科病区住院治疗。在ICU病区3床。')).toEqual([])
  })

  it('does not take a province or city alone (no street-level part)', () => {
    expect(found('患者来自浙江省杭州市，在上海市工作。')).toEqual([])
  })

  it('finds US street addresses with unit, city, state and ZIP', () => {
    expect(
      found(
        'Lives at 4821 Maple Ridge Ave, Apt 3B, Columbus, OH 43215. Office: 1600 Pennsylvania Ave NW, Washington, DC 20500; mail P.O. Box 123, Reno, NV 89501.',
      ),
    ).toEqual([
      ['ADDRESS', '4821 Maple Ridge Ave, Apt 3B, Columbus, OH 43215'],
      ['ADDRESS', '1600 Pennsylvania Ave NW, Washington, DC 20500'],
      ['ADDRESS', 'P.O. Box 123, Reno, NV 89501'],
    ])
    expect(found('HQ: 1 Infinite Loop, Cupertino, CA 95014')).toEqual([
      ['ADDRESS', '1 Infinite Loop, Cupertino, CA 95014'],
    ])
  })

  it('does not take doses or counts as street numbers', () => {
    expect(found('Give 500 Units Daily. 3 Times Weekly. Room 12 on Ward B.')).toEqual([])
  })
})

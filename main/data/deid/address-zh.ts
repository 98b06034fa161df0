// ADDRESS (Chinese): province/municipality, city, district/county, town, road + number, estate,
// building/unit/room, down to street level. It starts at a province or major city name, right after
// a cue (住址, 家住 …), or at any city/district that reaches a numbered road or an estate; a match
// without a street-level part (路/号/小区/栋/室 …) is not taken.
import { matchAll, type Candidate } from './types'

const HAN = '[\\u4e00-\\u9fff]'
const PROVINCE =
  '(?:(?:北京|天津|上海|重庆)市|(?:河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾)省|' +
  '(?:内蒙古|广西壮族|西藏|宁夏回族|新疆维吾尔|广西|宁夏|新疆)自治区|香港特别行政区|澳门特别行政区)'
const MAJOR_CITIES =
  '北京|上海|天津|重庆|广州|深圳|杭州|南京|武汉|成都|西安|苏州|郑州|长沙|沈阳|青岛|宁波|东莞|无锡|济南|' +
  '大连|厦门|福州|合肥|昆明|哈尔滨|长春|石家庄|南昌|南宁|贵阳|太原|兰州|乌鲁木齐|呼和浩特|银川|西宁|拉萨|海口|' +
  '珠海|佛山|温州|绍兴|嘉兴|金华|台州|常州|南通|徐州|扬州|烟台|潍坊|洛阳|唐山|保定|泉州|惠州|中山|汕头'
const CITY = `(?:${HAN}{1,6}?(?:市|州|盟|地区))`
const DISTRICT = `(?:${HAN}{1,6}?(?:新区|区|县|旗))`
const TOWN = `(?:${HAN}{1,6}?(?:街道|镇|乡))`
const ROAD = `(?:[\\u4e00-\\u9fff\\d]{1,10}?(?:大道|大街|路|街|巷|弄|胡同|道)(?:[东西南北中一二三四五六七八九十\\d]+段)?)`
const NUMBER = '(?:\\d+(?:-\\d+)?(?:号院|号|弄)(?:\\d+号)?)'
const ESTATE = `(?:[\\u4e00-\\u9fffA-Za-z\\d]{2,10}?(?:小区|花园|公寓|大厦|大楼|广场|新村|家园|社区|中心|公馆|大院|城|苑|园|村|府)(?:[A-Z\\d]+[座塔区])?)`
const BUILDING = '(?:\\d+(?:号楼|栋|幢|座|单元|楼|层|室|号房|户|组|社|队))'
const STREET_LEVEL = `(?:${ROAD}${NUMBER}?|${BUILDING}|${NUMBER}|${ESTATE})`
const TAIL = `(?:${DISTRICT}{0,2}${TOWN}?(?:${STREET_LEVEL})+)`

const CUES =
  '住址|地址|家住|现住|住在|居住于|居住地|户籍地址|户籍地|籍贯|单位地址|家庭住址|联系地址|通讯地址|住'
const ANCHORED = new RegExp(
  `${PROVINCE}?(?:${PROVINCE}|(?:${MAJOR_CITIES})市?)${CITY}?${TAIL}`,
  'g',
)
const CUED = new RegExp(
  `(?<=(?:${CUES})[：:\\s]*)(?![址在于地籍])(?:${PROVINCE}?${CITY}?${TAIL})`,
  'g',
)

// Any other city or district, when it starts after a non-Chinese character or a word like 住/在/于/自
// and reaches a road with a house number or an estate: "于绵阳市涪城区临园路东段62号".
const GENERIC = new RegExp(
  `(?<=^|[^\\u4e00-\\u9fff]|[住在于自至往到从址])(?![址在于地籍住自至往到从])(?:${HAN}{2,3}?(?:市|州))?${HAN}{2,3}?(?:新区|区|县)` +
    `${TOWN}?(?:${ROAD}${NUMBER}|${ESTATE})(?:${STREET_LEVEL})*`,
  'g',
)

export function findChineseAddresses(text: string): Candidate[] {
  return [
    ...matchAll(text, ANCHORED, 'ADDRESS', 1),
    ...matchAll(text, CUED, 'ADDRESS', 1),
    ...matchAll(text, GENERIC, 'ADDRESS', 1),
  ]
}

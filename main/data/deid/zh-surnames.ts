// Chinese surnames for the name recogniser: compound surnames (tried first) and the common
// single-character surnames. Characters that are far more often ordinary words in clinical text
// (查 管 主 门 区 家 左 右 双 经) are left out on purpose.
export const COMPOUND_SURNAMES = (
  '欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 澹台 轩辕 南宫 西门 ' +
  '百里 呼延 独孤 司空 闻人 赫连 钟离 宗政 濮阳 申屠 太史 万俟 淳于 单于 公羊 东郭 拓跋'
).split(' ')

export const SINGLE_SURNAMES = [
  ...('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏' +
    '魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚' +
    '邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左' +
    '柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶' +
    '解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟' +
    '邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池乐匡钮'),
].filter((c) => !'查管主门区家左右双经'.includes(c))

"""People's names in free text, Chinese and English, found offline.

Chinese: jieba segments each run of Chinese characters (its HMM finds unknown words, which is how
most given names surface); a token that starts with a common surname and continues with given-name
characters is a name when the context says so (a cue word before it such as 借款人, 客户, 担保人,
丈夫; a title after it such as 先生, 女士; a verb of speech or a possessive after it such as 说, 的电话)
or, without context, when it is not an ordinary dictionary word and its given name is made of
characters common in given names. Forms of address are names too: 王先生, 李女士, 老王, 小张, 张总.
Not names: dictionary words that begin with a surname character (余额, 方案, 周一, 马上, 金额),
places (jieba tags them `ns`), company names (a surname-like word followed by 消费金融, 有限公司 …),
and 老/小 words such as 小时, 老师, 老赖.
Besides jieba's cut, names are read from the grammar around them (`_subject_names`: a surname and given
name where a subject stands, before speech, a promise or a relative; a word that is also a name only at the
head of its clause), from lists (`_coordinated_names`: people are listed with people), from a middle dot
(`_dotted_names`), from long titles (`_titled_names`), and pinyin typed into Chinese (`_pinyin_names`); minority
names without a dot from their characters (`_minority_names`), rare surnames and surnames the list lacks
(`_rare_surname_names`, `_unlisted_surname_names`), a name before 家 (`_home_names`), a name between 叫 and 的 + a
person (`_called_names`), and a name found once is masked wherever it recurs (`_repeated_names`).

English: a capitalised word sequence is a name after a title (Mr, Mrs, Ms, Dr …), after a cue word
(borrower, customer, husband, named, called …), when its first word is a known given name (the
public-domain 1990 US Census list plus a supplement, see `data/NOTICE.md`) followed by another
capitalised word, when its last word is a known surname, or when it is pinyin (Zhang Wei, Wang
Jianguo); a single given name is a name unless it is also an everyday word (Will, May, Grace). Not
names: months, weekdays, holidays, places, organisations (a sequence ending in Street, Bank, Ltd,
Act, Council …) and capitalised words of the pack's own documents (Universal Credit, Breathing
Space, Field Visit Policy).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from visitcoach.llm.hanzi import simplified
from visitcoach.llm.pii import Span
from visitcoach.text import CJK, CJK_CHAR

# -- Chinese ---------------------------------------------------------------------------------------

#: Common single-character surnames (the most frequent ~300). Those in `_ZH_RISKY` also begin many
#: ordinary words, so a name with them needs context or given-name characters throughout.
ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
    "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查"
    "麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝区郜阚花权帅屠朴盖练廉禹"
    "井祖漆巴丰支卿国狄平计索宣晋相初云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况宿鲜印逯隆茹诸"
    "战慕危玉银亢嵇湛宾戎勾茅呼居揭干尉冶束檀衣展阴昝智幸奉植衡富尧宓郦逄笪钮乜佴缑晏訾隗禤钭邴靖暴鄂巢蔚滑綦郗濮"
    "赖洪丘寿沃水蓟仉"
)
#: The given-name statistic (`given_char_llr`) is learned from the dictionary people with the surnames above only.
_ZH_STAT_SURNAMES = ZH_SURNAMES
#: Surnames of the Hundred Family Surnames the list lacked (傅 and 萧 are among the hundred commonest).
ZH_SURNAMES += "傅萧荀酆贲韶蒯庾竺璩厍郏殳郤凤贝弓於桓"
#: … and rarer ones of the Hundred Family Surnames that begin no everyday word (糜, 羿, 汲, 莘, 暨, 夔, 毋, 宦).
ZH_SURNAMES += "糜羿汲莘暨夔毋宦"
ZH_COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "呼延", "申屠", "澹台", "公冶", "濮阳", "淳于",
    "单于", "赫连", "万俟", "闻人", "太史",
)
_ZH_RISKY = set(
    "于余付方白高任何周金马万成时常安全江路文明关向钱和强应解计申包商云国平花元信智富相容敬连项简车管满原南华乐"
    "惠封谈查官池迟师边阳游曲盛谷单季纪舒符尚祝甘左齐易牛温康龙史雷段严汤戴施乔庄章鲁岳欧梅涂蓝辛蒙房屈尤农司"
    "古吉麦景党宫费卜冷席卫宗巫寇桑丛仲麻苑荆郁班储燕楚劳皮楼盘闻厉伊区权帅盖练廉井祖巴丰支卿索宣晋初普戈伏"
    "鹿薄羊乌母修况宿鲜印隆诸战慕危玉银宾勾呼居揭干衣展阴幸奉植衡洪寿水"
    "凤贝弓於桓"
)
#: Characters common in Chinese given names.
ZH_GIVEN_CHARS = set(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂华建国文辉玲萍红鹏宇浩婷雪琳晓欣燕梅兰凤玉志海峰亮斌波小"
    "慧佳颖倩丹莉俊宁飞云林龙成新春金东荣德胜庆立然航帆鑫健坤毅博锋凯旭阳昊睿轩泽晨瑞梓涵琪怡萱悦彤妍菲薇"
    "淑珍贞娥翠香琴芬珠雅芝君露瑶璐蓉茜媛婧岚冰楠爽双宏永福贵生祥发良山仁义礼信忠孝廉耀光昌盛兴旺富民安"
    "康乐喜秋冬松柏竹枫杨柳桃菊莲荷蕾蓓芸茹若菁萌豪雄威武彪虎鹰鸿鹤麟骏驰腾跃振奋进利晶莹璇瑾瑜琦玮珊琼环"
    "佩伶俐依伊妮娅姗婉嫣娴雯霏霖雨霜虹彩青紫碧翔羽翰墨书诗韵歌艺甫之正中力天和如同心思念恩惠道智勤朴诚"
    "真善美好嘉锦绣琅慈爱宝钰铭锐钢银淼森焱垚品众伦卫兵帅士雁鹃莺群贤娇姣妹郎峥嵘崇岳峻岩岭川江河湖涛泉"
    "溪渊清澄洁润沛瀚淳源沁沐汐潇湘滨晖晗曦昕昱晟暄朗皓琛璋瑛琰瑶珂琨琬锦绮绍纲继维绪缘若蔚蓬萧蕊薇虹"
    "辰达迪逸远运通雷震霆鸣凡亚克彬斐旻昭晋景智曼月朋杉栋树桐梁森楷权欢歆毓永汉汝沙治泰洪津浚淇渝湘滢"
    "漫潮灿炜烨焕煜熙燕牧玄珏琪瑞璟甜田畅皓盈睿石硕碧祺禄福秀程稳章竣笑筱简粤素紫红纯绍继缨罡美翠耀聪"
    "育胜舒艳芙芮芷苏英茂荣莎莘莹萌萍葆蓉蔓蕙薇虹蛟蝶衡袁西言誉语诺谦豪贝贤赫超越轩辉辛达迎邦铮锋镇长"
    "阔阳阿陶隆雁雄雅霄青靖静韬顺颂颖风飞馨驹骁高鲁鸥鹏黎鼎齐龄晴宾蕾萱芊芯沫菡诗琪梦瑶可家以星冠卓玥奕宸彦昀翊"
    "钧熠恺祯禹弘贺婕姝妙丫全守秉学宗占廷仲伯孟季兆保根水木铁锁柱满仙巧菊桂琴颜怀蕴灵朵芹苗莎媚娉婷一二三四五"
    "六七八九十大野誉子繁"
)
#: Characters that do not continue a name: particles, pronouns, common verbs and place/measure words.
_ZH_NOT_GIVEN = set(
    "的了在是说和与及也都就又还把被给让对向从到去来不没很太要会能已今昨等这那哪些个么吗呢吧啊呀哦嗯着过"
    "们您你我他她它其此每各该某所为而但若则因于乎者经将再更最非无有得地请须应需里上下内外前后边面才"
    "元块钱号月日年时分秒岁次件条款项张份期笔额率费息单表证卡书呗"
)
_ZH_CUES = (
    "借款人", "借款者", "借款方", "债务人", "客户", "顾客", "担保人", "保证人", "共同借款人", "联系人", "紧急联系人",
    "丈夫", "妻子", "老公", "老婆", "爱人", "配偶", "前夫", "前妻", "儿子", "女儿", "父亲", "母亲", "爸爸", "妈妈",
    "哥哥", "姐姐", "弟弟", "妹妹", "儿媳", "女婿", "公公", "婆婆", "岳父", "岳母", "爷爷", "奶奶", "外婆", "外公",
    "孙子", "孙女", "侄子", "侄女", "外甥", "朋友", "同事", "邻居", "室友", "房东", "租客", "老板", "领导", "主管",
    "同学", "名叫", "叫做", "叫", "姓名", "名字是", "名字叫", "本人", "户主", "员工", "催收员", "外访员", "业务员",
    "专员", "律师", "法官", "民警", "警官", "医生", "护士", "社工", "负责人", "法人", "法定代表人", "收件人",
    "尊敬的", "亲爱的", "致", "签字人", "经办人", "当事人", "申请人", "被申请人", "原告", "被告", "证人",
    "家属", "亲属", "家人", "监护人", "代理人", "对方", "男友", "女友", "未婚夫", "未婚妻", "舅舅", "姑姑", "叔叔",
    "阿姨", "伯伯", "表哥", "表姐", "表弟", "表妹", "堂哥", "堂弟",
    # in-laws and other kin (小舅子汪鹏, 姐夫), a mentor or partner at work (师兄舒航), friends of long standing
    "堂姐", "堂妹", "姐夫", "妹夫", "嫂子", "弟媳", "小舅子", "大舅子", "小姨子", "大姨子", "小叔子", "舅妈", "姨妈",
    "姑父", "姨父", "婶婶", "伯母", "继父", "继母", "养父", "养母", "干爸", "干妈", "前男友", "前女友",
    "师兄", "师姐", "师弟", "师妹", "师父", "徒弟", "搭档", "合伙人", "发小", "闺蜜", "战友", "老乡", "保姆",
)
_ZH_NAME_CUES = (
    *(c for c in _ZH_CUES if c not in ("尊敬的", "亲爱的", "致", "本人", "对方")),
    "户名", "账户名", "开户名", "持卡人", "收款人", "付款人", "姓名为", "名为", "名字",
)
_ZH_CUE_NAME = re.compile(
    rf"(?:{'|'.join(sorted(_ZH_NAME_CUES, key=len, reverse=True))})[：:\s]*(?:是|为|叫)?\s*"
    rf"({'|'.join(ZH_COMPOUND_SURNAMES)}|[{ZH_SURNAMES}])([{CJK}]{{1,2}})"
)
#: Characters that transliterate foreign names (詹姆斯, 威尔逊, 玛丽亚).
_ZH_TRANSLIT = (
    "阿埃艾爱安奥巴芭拜班邦保鲍贝本比彼毕波伯博布查达戴丹道德迪蒂丁东杜多厄恩法菲费芬丰佛夫福盖冈戈格贡古哈"
    "海汉豪赫亨胡华怀惠霍基吉加贾杰金卡凯坎康柯科克肯库拉莱兰朗劳勒雷蕾里利莉丽连林琳卢鲁路伦罗洛玛马迈麦曼"
    "梅美门蒙米密明摩莫穆纳娜奈南内尼妮纽诺欧帕潘佩彭皮普齐奇乔切琼丘萨塞桑瑟森沙莎珊尚舍史斯丝索塔泰坦汤唐"
    "特托瓦万威韦维温沃乌伍西希锡夏谢辛休雅亚扬耶伊因英尤约詹朱兹佐尔姆逊娃黛蒂汀妮琪薇茨伊得"
    # Uyghur and Kazakh names in Chinese characters (买买提, 热合曼, 吐尔逊, 肉孜, 托合提, 努尔, 阿不都)
    "买提热合吾卜努吐肉孜依江力木托不都"
)
_ZH_FOREIGN = re.compile(f"[{_ZH_TRANSLIT}]{{2,6}}(?:·[{_ZH_TRANSLIT}]{{2,8}})+")
#: Weak cues: a name often follows them, but so do ordinary words (和, 找, 让 …).
_ZH_WEAK_CUES = ("找", "联系", "拜访", "见到", "见了", "通知", "告诉", "问", "让", "请", "和", "与", "及", "、", "同", "跟", "给", "由", "把", "对", "向",
                  "转告", "提醒", "催", "催促", "约", "约了", "陪", "帮", "替", "见", "一下", "去找", "上门找", "看看", "看望", "探望")
_ZH_TITLES = (
    "先生", "女士", "小姐", "太太", "夫人", "阿姨", "大爷", "大妈", "大叔", "大婶", "大哥", "大姐", "师傅", "老师",
    "经理", "老板", "主任", "律师", "医生", "科长", "处长", "局长", "同学", "爷爷", "奶奶", "阿婆", "老太", "老汉",
    "总", "姐", "哥", "叔", "婶", "伯", "工", "老", "妈", "嫂", "某", "某某",
)
_ZH_AFTER = re.compile(
    r"(?:说|讲|表示|称|告诉|同意|拒绝|答应|承诺|要求|希望|认为|觉得|回答|解释|保证|确认|提出|打电话|来电|接听|"
    r"住|在家|家里|家中|的电话|的手机|的号码|的身份证|的地址|的家|的妻子|的丈夫|的儿子|的女儿|的父亲|的母亲|的母親|"
    r"的老婆|的老公|的欠款|的借款|的账户|的银行卡|的情况|的家属|本人|夫妇|一家|欠款|欠了|借了|还款|签字|签名|"
    r"今天|昨天|明天|目前|现在|已经|不在|没有|先生|女士|和|与|、|（|\(|，|。|身份证|手机|电话|微信|QQ|qq|邮箱|账号|"
    r"卡号|银行卡|信用卡|情绪|态度|这种情况|那边|这边|单位|留|住|是|在|也|欠|借|还|的|时|聊|谈)"
)
#: What follows only a person: speech, a possessed identifier, residence.
_ZH_PERSONAL = re.compile(
    r"(?:说|表示|告诉|同意|拒绝|答应|承诺|的电话|的手机|的号码|的身份证|的地址|的家|身份证|手机|电话|微信|QQ|qq|邮箱|"
    r"账号|卡号|银行卡|住在|住|留的|留了|先生|女士|夫妇|本人|的妻子|的丈夫|的老婆|的老公|的儿子|的女儿|打来|来电|打电话|"
    r"回电|接电话|在家|不在家|家里|不在|失联|欠款|欠了|借了|答应|同意|这个人|这个客户|这人|这位|此人)"
)
_ZH_ACTS = re.compile(
    r"(?:说|讲|表示|告诉|同意|拒绝|答应|承诺|打来|来电|打电话|回电|接电话|失联|欠款|欠了|借了|在家|不在家|不在|夫妇|本人|"
    r"的妻子|的丈夫|的老婆|的老公|的儿子|的女儿|先生|女士|"
    # a debt of one's own and a home (这是高原的欠款记录, 常乐住在几楼); named as the case's party (时光这个客户)
    r"的欠款|的借款|的还款|住在|这个客户|这位客户|这个借款人|这位借款人)"
)
_ZH_ORG_SUFFIX = (
    "公司", "有限公司", "股份", "银行", "集团", "金融", "消费金融", "小贷", "贷款", "律所", "律师事务所", "事务所",
    "法院", "医院", "学校", "大学", "中学", "小学", "超市", "商店", "商场", "酒店", "餐厅", "饭店", "科技", "网络",
    "贸易", "实业", "控股", "资本", "保险", "信托", "证券", "基金", "协会", "委员会", "中心", "小区", "花园", "大厦",
    "广场", "路", "街", "村", "镇", "市", "省", "区", "县", "店", "厂", "站", "局", "所", "台", "报", "牌", "号",
)
#: 老X / 小X / X-word pairs that are ordinary words, not forms of address.
_ZH_NOT_NAMES = {
    "小时", "小于", "小区", "小心", "小组", "小学", "小孩", "小说", "小吃", "小康", "小额", "小型", "小计", "小费",
    "小麦", "小微", "小伙", "小雨", "花呗", "借呗", "小方", "小米", "小白", "小路", "小车", "小金库", "小高层", "小花", "小国",
    "小时候", "小事", "小数", "小商", "小店", "小常识", "小毛病", "小平房", "小公司", "小贷", "小额贷款", "小宝",
    "老师", "老年", "老人", "老家", "老公", "老婆", "老百姓", "老化", "老旧", "老实", "老虎", "老鼠", "老乡", "老大",
    "老弱", "老赖", "老伴", "老爷", "老少", "老式", "老于", "老成", "老牛", "老路", "老江湖", "老师傅", "老常",
    "老房子", "老客户", "老板", "老总", "老母", "老父", "老汉", "老太", "老区", "老城", "老街", "老宅", "老年人",
    "阿姨", "阿里", "孙子", "孙女", "王八蛋", "白眼狼", "白痴", "白条", "白搭", "金条", "金子", "金额", "余额",
    "高利贷", "高利", "万一", "方案", "任何", "马上", "周末", "周一", "周二", "周三", "周四", "周五", "周六", "周日",
    "周转", "严重", "严格", "严禁", "程序", "张贴", "付清", "付款", "陈述", "许可", "顾问", "顾客", "谢谢", "钱包",
    "钱庄", "钱财", "范围", "方面", "黄金", "高铁", "何时", "何种", "高管", "高龄", "高考", "董事会", "孙浩然",
    "时间", "时候", "明天", "明确", "明年", "江湖", "安全", "关于", "关系", "向前", "和解", "常见", "成功", "全部",
    "文件", "石头", "路上", "国家", "平时", "华为", "乐意", "智能", "富有", "强制", "强调", "应当", "应该", "解释",
    "计划", "申请", "包括", "商量", "云南", "花费", "元旦", "信用", "相关", "容易", "敬请", "连续", "项目", "简单",
    "车辆", "管理", "满意", "原因", "南方", "华人", "惠及", "封闭", "谈话", "查询", "官方", "池子", "迟到", "师傅",
    "边上", "阳台", "游戏", "曲线", "盛情", "谷歌", "单位", "季度", "毕业", "凌晨", "童年", "纪律", "舒服", "符合",
    "尚未", "祝福", "甘心", "左右", "兰州", "焦虑", "齐全", "易于", "温和", "康复", "龙头", "史上", "黎明", "雷同",
    "段落", "孔子", "莫名", "汤圆", "戴上", "施压", "施工", "葛优", "邢台", "乔治", "庄重", "章程", "鲁莽", "岳父",
    "岳母", "欧元", "欧洲", "耿直", "梅花", "柳树", "柯南", "霍乱", "涂改", "翁婿", "蓝色", "辛苦", "蒙受", "房东",
    "房子", "房屋", "房租", "房贷", "房产", "滕州", "屈服", "饶恕", "艾滋", "尤其", "穆斯林", "农村", "农民", "司机",
    "司法", "卓越", "古代", "吉利", "简直", "麦当劳", "景区", "党员", "宫殿", "费用", "卜算", "冷静", "席位", "卫生",
    "米饭", "柏油", "宗教", "桂林", "应急", "巫婆", "寇仇", "桑拿", "郎中", "丛林", "仲裁", "巩固", "麻烦", "苑囿",
    "惠州", "荆州", "乐观", "郁闷", "南京", "储蓄", "原则", "燕子", "楚楚", "劳动", "皮肤", "楼上", "楼下", "盘子",
    "满足", "闻到", "厉害", "伊朗", "区域", "花钱", "权利", "权益", "帅哥", "盖章", "练习", "廉洁", "井然", "祖父",
    "祖母", "漆黑", "巴士", "丰富", "支付", "支持", "卿卿", "国内", "狄仁杰", "平台", "计算", "索要", "宣传", "晋升",
    "相互", "初次", "云端", "容忍", "敬重", "普通", "戈壁", "伏击", "鹿角", "薄弱", "雍正", "羊肉", "乌鲁木齐", "母亲",
    "修改", "杭州", "况且", "宿舍", "鲜花", "印章", "隆重", "茹素", "诸位", "战争", "慕名", "危险", "玉米", "银行",
    "湛江", "宾馆", "戎装", "勾结", "茅台", "呼吸", "居住", "揭露", "干部", "衣服", "展示", "阴影", "幸福", "奉献",
    "植物", "衡量", "富裕", "吴江", "毛巾", "马虎", "黄种",
    # banks' short names (浦发信用卡, 平安银行卡)
    "浦发", "华夏", "平安", "广发", "民生", "兴业", "中信", "招商", "光大",
    # shops and brands named after a person (周大福 jewellers, 周黑鸭, 王老吉, 张小泉 knives, 杨国福 malatang)
    "周大福", "周生生", "周黑鸭", "王老吉", "张小泉", "杨国福", "黄记煌", "谭木匠",
    # the pack's companies, short forms (兰亭消费金融有限公司, 北辰信用管理服务有限公司)
    "兰亭", "北辰",
}


@cache
def _jieba() -> tuple[Any, dict[str, int], dict[str, str]]:
    """jieba (its dictionary ships in the wheel), its word frequencies and part-of-speech tags."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba, jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab


#: Characters of transliterated foreign names, left out of the given-name statistic (jieba tags 卡尔 `nr`).
_TRANSLIT_ONLY = set("尔斯克特拉尼格纳布塔洛奇基莱勒卡蒂姆萨逊托")
#: How much likelier a character is in a given name than in ordinary words (natural log) before it counts as one.
GIVEN_CHAR_MIN_LLR = 0.5


@cache
def given_char_llr() -> dict[str, float]:
    """How much likelier each character is in a Chinese given name than in ordinary words (natural log).

    jieba's dictionary tags tens of thousands of people `nr` (丁俊晖, 李宇春 …): the statistic compares a
    character's share of the given names of those entries with its share of the dictionary's other words,
    weighted by their frequency (振, 婷, 曦, 屹, 慈 score high; 的, 说, 还, 款 far below zero)."""
    import math

    _, freq, tags = _jieba()
    in_names: dict[str, int] = {}
    in_words: dict[str, int] = {}
    for word, tag in tags.items():
        if tag == "nr" and len(word) in (2, 3) and word[0] in _ZH_STAT_SURNAMES and not _TRANSLIT_ONLY.intersection(word):
            for c in word[1:]:
                in_names[c] = in_names.get(c, 0) + 1
    for word, f in freq.items():
        if f and not tags.get(word, "").startswith("nr"):
            for c in word:
                in_words[c] = in_words.get(c, 0) + f
    n, g = sum(in_names.values()) or 1, sum(in_words.values()) or 1
    return {c: math.log((in_names.get(c, 0) + 0.5) / n) - math.log((in_words.get(c, 0) + 50) / g)
            for c in in_names.keys() | in_words.keys()}


@cache
def surname_llr() -> dict[str, float]:
    """How much likelier each listed single surname is as the first character of one of jieba's `nr` people than as a
    character of its other words (natural log, frequency-weighted like `given_char_llr`): 王, 郑, 笪 score high; 国, 和,
    于, 高 (which begin or fill many ordinary words) low."""
    _, freq, tags = _jieba()
    firsts: dict[str, int] = {}
    for word, tag in tags.items():
        if tag == "nr" and len(word) in (2, 3) and word[0] in ZH_SURNAMES and not _TRANSLIT_ONLY.intersection(word):
            firsts[word[0]] = firsts.get(word[0], 0) + 1
    in_words: dict[str, int] = {}
    for word, f in freq.items():
        if f and not tags.get(word, "").startswith("nr"):
            for c in word:
                if c in ZH_SURNAMES:
                    in_words[c] = in_words.get(c, 0) + f
    n, g = sum(firsts.values()) or 1, sum(in_words.values()) or 1
    return {c: math.log((firsts.get(c, 0) + 0.5) / n) - math.log((in_words.get(c, 0) + 50) / g) for c in ZH_SURNAMES}


def _rare_char(c: str) -> bool:
    """A Chinese character jieba's dictionary never uses: rare characters are typical of given names (犇, 翀, 赟)."""
    return bool(CJK_CHAR.match(c)) and c not in given_char_llr() and c not in _ZH_NOT_GIVEN


@cache
def given_chars() -> frozenset[str]:
    """Characters of Chinese given names: the hand list plus those the dictionary statistic finds."""
    learned = {c for c, v in given_char_llr().items() if v >= GIVEN_CHAR_MIN_LLR}
    return frozenset((ZH_GIVEN_CHARS | learned) - _ZH_NOT_GIVEN)


def _is_given(c: str) -> bool:
    return c in given_chars() or _rare_char(c)


#: A compound surname rarer than this in jieba's dictionary is no everyday word (闻人 27; 东方, 上官 are words too).
_COMPOUND_WORD_FREQ = 200
#: A dictionary entry tagged `nr` rarer than this is somebody's name (解晓东, 游本昌), not an everyday word.
_RARE_NR = 50
#: An everyday word this frequent inside a candidate makes it a word, not a name (严肃/性, 岳/父母, 权益/保护).
_WORD_FREQ = 200


def _everyday(word: str, freq: dict[str, int], tags: dict[str, str]) -> bool:
    return word in _ZH_NOT_NAMES or (freq.get(word, 0) >= _WORD_FREQ and not tags.get(word, "").startswith("nr"))


def _dictionary_person(word: str, freq: dict[str, int], tags: dict[str, str]) -> bool:
    """jieba's dictionary lists `word` as a person: a rare `nr` entry of three characters neither of whose
    two-character halves is an everyday word (解晓东, 游本昌; not 严肃性, 满屋子, 岳父母). Two-character
    entries are left out: jieba tags many verbs and nouns `nr` (许诺, 张贴, 周转)."""
    tag = tags.get(word, "")
    if tag not in ("nr", "nrfg", "nz") or word in _ZH_NOT_NAMES or (tag == "nz" and len(word) < 3):
        return False
    surname = _surname_of(word)
    if len(word) != 3 or len(surname) != 1 or word[-1] in "区县市镇村省路街州山河湖性子":
        return False
    return freq.get(word, 0) < _RARE_NR and not _everyday(word[:2], freq, tags) and not _everyday(word[1:], freq, tags)


def _surname_of(word: str) -> str:
    if word[:2] in ZH_COMPOUND_SURNAMES:
        return word[:2]
    return word[0] if word[0] in ZH_SURNAMES else ""


_ZH_RUN = re.compile(f"[{CJK}·]+")
_ZH_TITLE_RE = re.compile(
    rf"(?:{'|'.join(ZH_COMPOUND_SURNAMES)}|[{ZH_SURNAMES}])(?:{'|'.join(sorted(_ZH_TITLES, key=len, reverse=True))})"
)
_ZH_OLD_YOUNG = re.compile(rf"(?:老|小|阿)[{ZH_SURNAMES}]")
_ZH_TOP_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪廖贾邹孟熊秦邱")


def _common_word(word: str, freq: dict[str, int], tags: dict[str, str]) -> bool:
    """An ordinary dictionary word that happens to begin with a surname character.

    jieba tags many ordinary words `nr` (张贴, 周转, 谢谢, 方正): a frequent one is a word, whatever its tag."""
    if word in _ZH_NOT_NAMES:
        return True
    f = freq.get(word, 0)
    if not f or _dictionary_person(word, freq, tags):
        return False
    if tags.get(word, "").startswith("nr"):
        given = word[len(_surname_of(word)):]
        return f >= 100 or not given or not all(c in given_chars() for c in given)
    return True


def _cue_before(run: str, at: int, text: str, run_start: int, cues: tuple[str, ...] = _ZH_CUES) -> bool:
    before = text[max(0, run_start + at - 8): run_start + at]
    before = re.sub(r"[\s：:，,是为]+$", "", before)
    return before.endswith(cues)


#: What only a person does right after being named: speech, a promise or refusal, a call, a feeling, a
#: possessed relative or phone ("过志成说", "于晴问", "潘垚让我们", "甘德明这人", "春花的儿子").
_ZH_STRONG_NEXT = re.compile(
    r"(?:说|讲|问|答应|要求|同意|拒绝|坚持|承认|表示|保证|承诺|怀疑|抱怨|投诉|打来|来电|回电|接(?:了|的)?电话|在电话里|电话里|"
    r"哭|骂|喝多|住院|做了手术|不让|不肯|不愿|非要|主动|让我们|叫我们|请我们|这人|这个人|人挺|本人|跟我|陪我|"
    # a claim, somebody told to act, a favour asked (聂伟称自己没借过, 何总让财务打款, 江哥帮我看下); not 称为/称作
    r"(?:声)?称(?!为|作|号|呼)|让(?:我|他|她|财务|会计)|帮(?:我|忙)|"
    # being willing, or messaging us (只有闵海军愿意开门, 牛犇发微信说)
    r"愿意|发(?:了|来)?(?:微信|短信|消息)|"
    # not answering, replying, going missing or running off (付强不接电话, 景甜回复了, 程程失联了, 华子跑路了)
    r"不接(?:电话)?|没接(?:电话)?|不回(?:电话|消息|微信)|没回(?:电话|消息|微信)|回复了|回消息|失联|跑路|"
    # a relative named after the person (苗苗她妈接的电话), not the oath 他妈的
    r"(?:他|她)(?:妈|爸|妈妈|爸爸|老公|老婆|儿子|女儿|爷爷|奶奶)(?!的)|"
    r"和(?:他|她)的?(?:儿子|女儿|老公|老婆|丈夫|妻子|弟弟|妹妹|哥哥|姐姐|妈妈|爸爸)|"
    r"的(?:电话|手机|号码|老公|老婆|丈夫|妻子|儿子|女儿|妈妈|爸爸|母亲|父亲|名字|身份证|孩子|弟弟|妹妹|哥哥|姐姐)|"
    # being somebody's relative or the case's party (温小雨是借款人的女儿, 是客户)
    r"是(?:借款人|客户|担保人|债务人|联系人|户主|房东|租客)|是(?:他|她|借款人|客户)的(?:女儿|儿子|老公|老婆|丈夫|妻子|妈妈|爸爸|母亲|父亲|弟弟|妹妹|哥哥|姐姐|邻居|同事|朋友))"
)
#: An adverb or time word that may stand between a subject and what the person does ("高峰这个月只还了").
_ZH_SUBJECT_ADVERB = (
    r"(?:今天|昨天|前天|昨晚|今早|刚刚|上次|上周|这周|这个月|上个月|这几天|这两天|前几天|这阵子|每次|一直|又|也|都|还|刚才?|已经|终于|最近|现在|只|就|才|总是?|先|"
    # once (曾凡曾经答应过), a duration or a count (魏长根两年没回来, 三次都没接)
    r"曾经|曾|向来|从来|根本|经常|老是|"
    r"[一二两三四五六七八九十几半]{1,3}(?:年|个月|个星期|周|天|次|回)多?)+"
)
#: … and after such an adverb, a verb a person does (还了, 接了, 说, 没钱).
_ZH_AFTER_ADVERB = re.compile(
    rf"{_ZH_SUBJECT_ADVERB}(?:说|讲|问|答应|要求|同意|拒绝|接|还了|还钱|还一|没钱|没还|不还|在家|不在|打|哭|来|去|跑|躲|换|搬|欠|"
    r"没(?:回|来|露面|联系|消息|见)|"
    rf"{_ZH_STRONG_NEXT.pattern})"
)
#: What may stand before a subject: the start, a clause break, a list or a cue verb.
_ZH_SUBJECT_BEFORE = set("，。！？；：、,.!?;: “”\"（(") | set("跟和与及同把给让叫找问对向被由见是说到")
#: A time word before a subject opens its clause (昨天欧阳建明和他儿子…).
_ZH_TIME_BEFORE = ("昨天", "今天", "明天", "前天", "上午", "下午", "晚上", "早上", "中午", "刚才", "上次", "后来")
#: What ends a clause or opens reported speech: a word after it is the subject of its own clause (同事说马力上次答应).
_ZH_CLAUSE_BREAK = set("，。！？；：、,.!?;: “”\"（(说")
#: Characters after which a noun names a place, not a person (陶然亭, 金山区, 白雪公主).
_ZH_PLACE_NEXT = set("亭寺庙桥塔门湖山岛河江村镇区县市省路街巷园楼站港湾峰岭")


#: A word this frequent is an everyday noun (保安 478, 村长 523, 同事), too common to be read as a bare given
#: name; a word the dictionary tags as a person (海燕 `nr`) may be commoner.
_COMMON_NOUN = 400
_COMMON_NAME_WORD = 1000
#: … and only this frequent when what follows is no more than a home or a workplace (春花家在村东头; 东家 222).
_LIFE_ONLY_FREQ = 100
#: Last characters of landmarks and works, not of names (陶然亭, 白马寺, 卢沟桥, 毛巾厂, 米粉店).
_ZH_LANDMARK_END = set("亭寺庙塔桥门阁厂店馆")


#: What follows a person and not a word, besides speech and promises: a home (次仁卓玛家在牧区), a workplace or ward
#: (在拉萨住院, 在白城上班), going out to work, an appointment (跟达瓦顿珠约的), the language a person speaks.
_ZH_LIFE_NEXT = re.compile(
    r"(?:家(?:在|是|住|里)|在[^，。！？；、\s]{1,6}(?:上班|打工|工作|住院|看病|读书|上学)|外出打工|出去打工|在外地|"
    r"外出|打工|约(?:的|了|好)|汉语|普通话|不太会说)"
)

_ZH_LIFE_AFTER_ADVERB = re.compile(rf"{_ZH_SUBJECT_ADVERB}{_ZH_LIFE_NEXT.pattern}")


def _next_is_person(after: str) -> bool:
    """What follows a candidate is something only a person does (speech, a promise, a relative), possibly after
    an adverb or a time word ("今天又说", "这个月只还了"), or a home, a workplace or work away (`_ZH_LIFE_NEXT`)."""
    return bool(_ZH_STRONG_NEXT.match(after) or _ZH_AFTER_ADVERB.match(after) or _ZH_LIFE_NEXT.match(after)
                or _ZH_LIFE_AFTER_ADVERB.match(after))


def _subject_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """Names told by the grammar around them rather than by jieba's cut: a surname (single or compound)
    and one or two given-name characters, standing where a subject or object stands (the start, a clause
    break, a list, 跟/让/由 …) and followed by something only a person does (`_next_is_person`). The
    shortest given name that the grammar fits wins (于晴问, not 于晴问能). A two-character dictionary word
    that is also a name (文静, 高峰, 海燕) is a name here only at the start of a clause and before speech
    or a possessed relative: 人挺文静的, 晚高峰 and 《海燕》 stay words."""
    out: list[Span] = []
    for m in _subject_re().finditer(text):
        surname = m.group(1)
        start = m.start()
        before = text[start - 1] if start else "，"
        if (before not in _ZH_SUBJECT_BEFORE and CJK_CHAR.match(before) and not _cue_before(text, start, text, 0)
                and not text[:start].endswith(_ZH_TIME_BEFORE)):
            continue
        at = start + len(surname)
        for n in (1, 2):
            given = text[at: at + n]
            # the first of two given-name characters may be one the function-word list holds (若曦, 以诺), and after
            # a compound surname any character of the hand list (夏侯明月: 月 is also a month)
            if len(given) < n or not all(
                (_is_given(c) and c not in _ZH_NOT_GIVEN) or ((i == 0 < n - 1 or len(surname) == 2) and c in ZH_GIVEN_CHARS)
                for i, c in enumerate(given)
            ):
                if n == 1 and len(text) > at + 1 and text[at] in ZH_GIVEN_CHARS:
                    continue
                if not (n == 1 and tags.get(surname + given, "").startswith("nr") and (before in _ZH_CLAUSE_BREAK or start == 0)):
                    break  # 周密说: a dictionary person at the head of a clause, whatever its given character
            word = surname + given
            after = text[at + n: at + n + 12]
            if not _next_is_person(after) or (after[:1] in _ZH_PLACE_NEXT):
                continue
            if word in _ZH_NOT_NAMES or word in _ZH_CUES or tags.get(word, "")[:1] in ("t", "m", "f", "d", "p", "c", "r", "v", "q", "u"):
                continue
            # after a compound surname the given name may be a word (夏侯明月): the surname is rare enough
            if tags.get(word) == "ns" or (_everyday(given, freq, tags) and len(given) == 2 and len(surname) == 1):
                continue
            everyday = _everyday(word, freq, tags) or bool(freq.get(word))
            if everyday and not (before in _ZH_CLAUSE_BREAK or start == 0):
                continue  # a word that is also a name counts only as the subject of its clause
            # a risky surname and a one-character given name: a likely given name, a dictionary person, or no word at
            # the head of its clause before what only a person does (付强不接电话, 华子跑路了; not 高兴说, a word)
            head_act = ((before in _ZH_CLAUSE_BREAK or start == 0) and bool(_ZH_STRONG_NEXT.match(after) or _ZH_AFTER_ADVERB.match(after))
                        and freq.get(word, 0) < _WORD_FREQ)
            if (surname in _ZH_RISKY and len(given) == 1 and not _name_like(given, _RISKY_GIVEN_LLR)
                    and not tags.get(word, "").startswith("nr") and not head_act):
                continue
            out.append(Span(start, at + n, "PERSON", 0.7, "zh_subject"))
            break
    # A two-character word of given-name characters alone at the head of a clause (海燕说, 春花的儿子).
    for m in re.finditer(rf"(?:^|(?<=[，。！？；：、,.!?;:\s“”]))([{CJK}]{{2}})", text):
        word, start = m.group(1), m.start(1)
        after = text[m.end(1): m.end(1) + 12]
        if word[0] in ZH_SURNAMES or not _next_is_person(after) or after[:1] in _ZH_PLACE_NEXT:
            continue
        if word in _ZH_NOT_NAMES or word in _ZH_CUES or tags.get(word, "")[:1] in ("t", "m", "f", "d", "p", "c", "r", "v", "q", "u", "a"):
            continue
        common = _COMMON_NAME_WORD if tags.get(word, "").startswith("nr") else _COMMON_NOUN
        if not (_ZH_STRONG_NEXT.match(after) or _ZH_AFTER_ADVERB.match(after)):
            common = min(common, _LIFE_ONLY_FREQ)  # a home or a workplace after it: 东家在北京工作 is the employer
        if tags.get(word) == "ns" or freq.get(word, 0) >= common or not (_name_like(word, _BARE_RISKY_LLR) or _nickname(word)):
            continue  # 保安说, 同事说: a common noun for a role is not somebody's name
        out.append(Span(start, start + 2, "PERSON", 0.65, "zh_subject"))
    return out


@cache
def _subject_re() -> re.Pattern[str]:
    return re.compile(rf"({'|'.join(ZH_COMPOUND_SURNAMES)}|[{ZH_SURNAMES}])(?=[{CJK}])")


#: Minority and foreign names written with a separating dot (帕提古丽·热合曼, 努尔兰•阿斯哈尔): every part is
#: a run of name characters; the dot is typed as ·, •, ‧, ・ or ･.
_ZH_DOTTED = re.compile(rf"[{CJK}]{{1,8}}(?:[·•‧・･][{CJK}]{{1,8}})+")


@cache
def _dotted_name_chars() -> frozenset[str]:
    """Characters a dotted name is made of: those of transliteration (`_ZH_TRANSLIT`), those jieba's dictionary
    uses in at least five transliterated names (tag `nrt`: 帕, 努 …) and given-name characters. A character of
    transliteration stays one even where it is a function word in Chinese (卡特, 阿不都, 阿里)."""
    learned = {c for c, k in _transliteration_counts().items() if k >= 5}
    return frozenset((set(_ZH_TRANSLIT) | learned | given_chars()) - (_ZH_NOT_GIVEN - set(_ZH_TRANSLIT)))


@cache
def _transliteration_counts() -> dict[str, int]:
    """How many of jieba's transliterated names (tag `nrt`) use each character."""
    _, _, tags = _jieba()
    counts: dict[str, int] = {}
    for word, tag in tags.items():
        if tag == "nrt":
            for c in word:
                counts[c] = counts.get(c, 0) + 1
    return counts


def _dotted_names(text: str) -> list[Span]:
    """Names joined by a middle dot, each part made of name characters (`_dotted_name_chars`), cut at what
    cannot be part of a name: a particle, pronoun or verb, or a cue word before them ("借款人艾力·买买提说" →
    艾力·买买提). A heading such as 法律框架概览·入户 or a place (中国·北京) is not a name."""
    _, _, tags = _jieba()
    allowed = _dotted_name_chars()
    out: list[Span] = []
    for m in _ZH_DOTTED.finditer(text):
        value, start = m.group(0), m.start()
        parts = re.split("([·•‧・･])", value)
        head = parts[0]
        for cue in _ZH_CUES:
            i = head.rfind(cue)
            if i != -1 and i + len(cue) < len(head):
                head = head[i + len(cue):]
        k = len(head)
        while k and head[k - 1] in allowed and len(head) - k < 5:
            k -= 1
        head = head[k:]
        tail = parts[-1]
        stop = next((i for i, c in enumerate(tail) if c not in allowed or _ZH_STRONG_NEXT.match(tail, i)), len(tail))
        tail = tail[:min(stop, 6)]
        middle = parts[2:-1:2]
        if len(head) < 2 or len(tail) < 2 or any(not p or any(c not in allowed for c in p) for p in middle):
            continue
        if any(tags.get(p) == "ns" for p in (head, tail)):
            continue
        a = start + len(parts[0]) - len(head)
        b = start + len(value) - len(parts[-1]) + len(tail)
        out.append(Span(a, b, "PERSON", 0.8, "zh_dotted"))
    return out


#: Titles of two or more characters: a surname before one is a person wherever jieba cut it (说钟/经理).
_ZH_LONG_TITLES = (
    "先生", "女士", "小姐", "太太", "夫人", "阿姨", "大爷", "大妈", "大叔", "大婶", "大哥", "大姐", "师傅", "老师",
    "经理", "老板", "主任", "律师", "医生", "科长", "处长", "局长", "书记", "主管", "会计", "出纳", "部长", "厂长",
    "院长", "校长", "所长", "队长", "站长", "村长", "镇长", "乡长", "组长", "班长", "主席", "总监", "秘书", "教授",
    "警官", "大夫", "护士", "老板娘", "叔叔", "伯伯", "姑姑", "舅舅", "奶奶", "爷爷", "婆婆", "阿婆", "大嫂",
)
_ZH_LONG_TITLE_RE = re.compile(
    rf"({'|'.join(ZH_COMPOUND_SURNAMES)}|[{ZH_SURNAMES}])(?:{'|'.join(sorted(_ZH_LONG_TITLES, key=len, reverse=True))})"
)


def _titled_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """Surname + a title of two or more characters (钟经理, 符书记, 阎主管), read from the characters: what stands
    before must end a word (a clause break, 的, a cue verb, 请示/遇到 …), so 要查会计 or 和科长一起 (with the chief)
    are not read as people when the surname character is an ordinary word there."""
    out: list[Span] = []
    for m in _ZH_LONG_TITLE_RE.finditer(text):
        surname, start, end = m.group(1), m.start(), m.end()
        before = text[start - 1] if start else "，"
        word = m.group(0)
        if word in _ZH_NOT_NAMES or (freq.get(word, 0) >= 20 and not tags.get(word, "").startswith("nr")):
            continue
        if _everyday(text[start - 1: start + 1], freq, tags) and start and len(text[start - 1: start + 1]) == 2:
            continue  # the surname character ends a word with what precedes it (办公|室主任)
        if surname in _ZH_RISKY:
            if before not in _ZH_SUBJECT_BEFORE and before != "的" and CJK_CHAR.match(before):
                continue
            if (before in "和与及同跟把给让叫找问对向被由是" and freq.get(text[start - 1: start + 1])) or (
                    start == 0 and surname in "和与及同跟把给让叫找问对向被由是"):
                continue  # 和科长一起, 跟单会计: the "surname" is a word of its own or ends one (跟温总监 is Director Wen)
        out.append(Span(start, end, "PERSON", 0.8, "zh_long_title"))
    return out


#: A name in pinyin typed into Chinese text (zhao yan的, 借款人huang mingyu（): a pinyin surname and one or two
#: words of pinyin syllables, with no other Latin word around them.
_PINYIN_IN_ZH = re.compile(rf"(?<![A-Za-z'’\-])([A-Za-z]{{1,9}})[ \t]+([A-Za-z]{{2,12}})(?:[ \t]+([A-Za-z]{{2,8}}))?(?=[ \t]*(?:[{CJK}，。、；：！？（(]|$))")


def _pinyin_names(text: str) -> list[Span]:
    """Pinyin names inside Chinese text: the first word a pinyin surname, the rest pinyin, in one case (all lower
    or each capitalised), Chinese or a break after them and Chinese or a break before them."""
    out: list[Span] = []
    for m in _PINYIN_IN_ZH.finditer(text):
        before = text[:m.start()].rstrip(" \t")
        if before and not (CJK_CHAR.match(before[-1]) or before[-1] in "，。、；：！？（(“\"'"):
            continue
        words = [w for w in m.groups() if w]
        if words[0].capitalize() not in _PINYIN_SURNAMES or not all(_pinyin(w) for w in words[1:]):
            continue
        if not (all(w.islower() for w in words) or all(w[:1].isupper() and w[1:].islower() for w in words)):
            continue
        out.append(Span(m.start(), m.end(len(words)), "PERSON", 0.7, "zh_pinyin"))
    return out


#: Characters that are only ever particles or pronouns, never a surname.
_ZH_PARTICLES = set("的了着吗呢吧啊呀哦嗯们这那哪些个么我你他她它和与及也都就又还把被给让对从到去来不没很")
#: Words that join the items of a list of people.
_ZH_JOINERS = ("和", "、", "与", "及", "跟", "同")


def _coordinated_names(text: str, found: list[Span], freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A name joined by 和/、/与 to a found name is a name too when it is shaped like one, even with a surname the
    list lacks (包玉兰、戚文涛、占X芳: three characters, the last two a likely given name) or a given name that is
    also a word (路遥和莫凡): people are listed with people. A two-character item without a listed surname is a
    name when it is shaped like a minority name (岩温和玉罕), or when the list's two other items are people
    (经纬、殷小燕和岳国华) and it is no common noun."""
    out: list[Span] = []
    starts = {s.start for s in found if s.kind == "PERSON"}
    ends = {s.end for s in found if s.kind == "PERSON"}
    for span in found:
        # the span is itself listed with a third person on its other side
        third = {"left": text[span.end: span.end + 1] in _ZH_JOINERS and span.end + 1 in starts,
                 "right": bool(span.start) and text[span.start - 1] in _ZH_JOINERS and span.start - 1 in ends}
        candidates: list[tuple[int, int]] = []
        if text[span.end: span.end + 1] in _ZH_JOINERS:
            candidates += [(span.end + 1, span.end + 1 + n) for n in (3, 2)]
        if span.start and text[span.start - 1] in _ZH_JOINERS:
            candidates += [(span.start - 1 - n, span.start - 1) for n in (3, 2)]
        for a, b in candidates:
            if a < 0 or b > len(text) or any(s.start < b and s.end > a for s in found + out):
                continue
            word = text[a:b]
            listed = len(word) == 2 and third["left" if b < span.start else "right"]
            # the first of three may be a surname the function-word list holds (过, 向), not a particle; in a list of
            # three people, any character but a particle (经纬)
            if not all(CJK_CHAR.match(c) and (c not in _ZH_NOT_GIVEN or ((i == 0 < len(word) - 2 or listed) and c not in _ZH_PARTICLES))
                       for i, c in enumerate(word)):
                continue
            if word in _ZH_NOT_NAMES or word in _ZH_CUES or tags.get(word, "")[:1] in ("t", "m", "f", "d", "p", "c", "r", "v", "q", "ns"):
                continue
            given = word[1:]
            if len(word) == 3:
                # the character before a three-character item must end a word (a list, a clause, the start)
                edge = text[a - 1] if a else "，"
                if b == span.start - 1 and CJK_CHAR.match(edge) and edge not in _ZH_SUBJECT_BEFORE:
                    continue
                ok = _name_like(given, _BARE_RISKY_LLR) and not _everyday(word[:2], freq, tags)
            else:
                ok = word[0] in ZH_SURNAMES and (
                    (_is_given(given) and not _everyday(word, freq, tags)) or tags.get(word, "").startswith("nr"))
                ok = ok or (not freq.get(word) and _minority_plausible(word, freq, tags))
                if not ok and listed:
                    ok = freq.get(word, 0) < _COMMON_NOUN and tags.get(word) != "ns"
            if ok:
                out.append(Span(a, b, "PERSON", 0.6, "zh_coordinated"))
                break
    return out


#: After a name's last character: what a person does, a break, 约/家 (衡子墨约好了, 滕雨涵家孩子) or a head count.
_ZH_AFTER_NAME_END = re.compile(
    rf"[，。、；：！？（）\s]|$|约|家|{_ZH_STRONG_NEXT.pattern}|{_ZH_AFTER_ADVERB.pattern}|"
    # a count of the people just listed (赵子豪三个人的案子, 两位)
    r"[两三四五六七八九十几]\s?(?:个人|位|人|家)"
)


def _extended_names(text: str, found: list[Span], freq: dict[str, int]) -> list[Span]:
    """A two-character name (a surname and one character) followed by one more given-name character and then
    something that ends a name is the three-character name cut short (井天|佑主动, 衡子|墨约好了): a partly
    masked name still leaks, so the span takes the third character."""
    out: list[Span] = []
    for span in found:
        word = text[span.start: span.end]
        if span.kind != "PERSON" or len(word) != 2 or word[0] not in ZH_SURNAMES or span.source not in ("zh_name", "zh_cue_name"):
            continue
        nxt = text[span.end: span.end + 1]
        if not nxt or not _is_given(nxt) or nxt in _ZH_NOT_GIVEN or freq.get(word + nxt, 0) >= _WORD_FREQ:
            continue
        if _everyday(text[span.end: span.end + 2], freq, _jieba()[2]) and len(text[span.end: span.end + 2]) == 2:
            continue  # the character begins a word with what follows (张伟|明天)
        if _ZH_AFTER_NAME_END.match(text, span.end + 1):
            out.append(Span(span.start, span.end + 1, "PERSON", span.score, "zh_extended"))
    return out


def chinese_names(text: str) -> list[Span]:
    """Chinese person names and forms of address in `text`."""
    if not re.search(f"[{CJK}]", text):
        return []
    jieba, freq, tags = _jieba()
    out: list[Span] = _pinyin_names(text)
    for run_match in _ZH_RUN.finditer(text):
        run, base = run_match.group(0), run_match.start()
        tokens: list[tuple[int, int, str]] = []
        pos = 0
        for tok in _resplit(jieba.cut(run, HMM=True), freq):
            tokens.append((pos, pos + len(tok), tok))
            pos += len(tok)
        starts = {s for s, _, _ in tokens}
        ends = {e for _, e, _ in tokens}
        # Forms of address: 王先生, 李女士, 张总; 老王, 小张.
        for m in _ZH_TITLE_RE.finditer(run):
            s, e = m.span()
            word = m.group(0)
            if word in _ZH_NOT_NAMES or (freq.get(word, 0) >= 20 and not tags.get(word, "").startswith("nr")):
                continue
            if s in starts and (e in ends or e == len(run)):
                title = m.group(0)[len(_surname_of(m.group(0))):]
                # a risky surname with a one-character title needs a cue, or to head its clause before what a person
                # does (钱总说下周打款; not 全总 in 全总工会)
                head = base + s == 0 or text[base + s - 1] in _ZH_CLAUSE_BREAK
                if (len(title) == 1 and title in "总姐哥叔婶伯工老妈嫂某" and _surname_of(m.group(0)) in _ZH_RISKY
                        and not _cue_before(run, s, text, base) and not (head and _next_is_person(text[base + e: base + e + 12]))):
                    continue
                out.append(Span(base + s, base + e, "PERSON", 0.85, "zh_title"))
        for m in _ZH_OLD_YOUNG.finditer(run):
            s, e = m.span()
            word = m.group(0)
            glued = e not in ends and word[1] not in _ZH_RISKY and (not freq.get(run[e - 1: e + 1]) or run[e: e + 1] in _GLUED_AFTER)
            if s not in starts or not (e in ends or e == len(run) or glued) or word in _ZH_NOT_NAMES:
                continue  # glued: jieba joined the surname to the next character (小/邹好/几天, 小/陈说), no word or a verb
            if word[1] not in _ZH_TOP_SURNAMES and freq.get(word, 0) >= 200 and not tags.get(word, "").startswith("nr"):
                continue
            out.append(Span(base + s, base + e, "PERSON", 0.8, "zh_old_young"))
        # Surname + given name.
        for i, (s, e, tok) in enumerate(tokens):
            surname = _surname_of(tok)
            if not surname:
                continue
            if len(tok) > len(surname):
                given = tok[len(surname):]
                end = e
                split = False
                nxt = tokens[i + 1][2] if i + 1 < len(tokens) else ""
                if (len(given) == 1 and not freq.get(tok) and len(nxt) == 1 and nxt in given_chars()
                        and (_followed_by_break(run[e + 1: e + 7]) or _ZH_PERSON_NEXT.match(run[e + 1: e + 7]))
                        and _name_like(given + nxt, _BARE_RISKY_LLR)):
                    # jieba left the name's last character alone (严屹/宽, then the end or a break): it is the name's
                    given, end = given + nxt, e + 1
            else:  # the surname alone: given name in the next one or two single characters
                given, end, split = "", e, True
                # a compound surname is rare enough to be a cue of its own (闻人/雅是…), unless it is a word (东方)
                cued = _cue_before(run, s, text, base) or (
                    len(surname) == 2 and freq.get(surname, 0) < _COMPOUND_WORD_FREQ and tags.get(surname) != "ns")
                for s2, e2, t2 in tokens[i + 1: i + 3]:
                    if len(t2) == 1 and t2 not in _ZH_NOT_GIVEN and len(given) < 2:
                        if given and t2 not in given_chars():
                            break
                        given += t2
                        end = e2
                    elif not given and len(t2) == 2 and all(c in given_chars() for c in t2) and freq.get(t2, 0) < 5000:
                        given, end = t2, e2
                        break
                    elif not given and cued and t2[0] in given_chars() and t2[0] not in _ZH_NOT_GIVEN:
                        # jieba glued the given name to the next word (赵/四下/周一): after a cue, take one character.
                        given, end = t2[0], s2 + 1
                        break
                    else:
                        break
                if not given:
                    continue
            # A trailing 家/们/说 glued on by the HMM is not part of the name.
            while len(given) > 1 and given[-1] in "家们说讲":
                given, end = given[:-1], end - 1
            word = surname + given
            if not 1 <= len(given) <= 2 or any(c in _ZH_NOT_GIVEN for c in given):
                continue
            after = run[end: end + 6]
            if any(after.startswith(suffix) for suffix in _ZH_ORG_SUFFIX) or _org_follows(tokens, i, run, end):
                continue
            tag = tags.get(word, "")
            dict_person = _dictionary_person(word, freq, tags)
            given_like = dict_person or all(_is_given(c) for c in given)
            risky = surname in _ZH_RISKY
            cue = _cue_before(run, s, text, base)
            weak = not cue and _cue_before(run, s, text, base, _ZH_WEAK_CUES)
            common = _common_word(word, freq, tags)
            personal = bool(_ZH_PERSONAL.match(after))
            title_or_verb = weak or personal or bool(_ZH_AFTER.match(after)) or after.startswith(_ZH_TITLES[:20])
            # A place or a dictionary word is a name only when what follows is something only people do
            # (于洋打来电话); places have phone numbers and addresses too (金华的地址).
            acts = bool(_ZH_ACTS.match(after))
            if risky and not cue and len(given) == 2 and (
                given in _ZH_NOT_NAMES
                or (tags.get(given, "")[:1] in ("t", "m", "f", "d", "p", "c", "r") and freq.get(given, 0) >= _WORD_FREQ)
            ):
                continue  # 于周二上午, 向兰亭投诉: the "given name" is a time, function word or known non-name
            if word in _ZH_NOT_NAMES or (tag == "ns" and not (cue or acts)) or (
                common and not (acts and given_like and (tag.startswith("nr") or tag == "ns" or freq.get(word, 0) < 500))
            ):
                continue
            if cue:
                ok = True
            elif title_or_verb:
                ok = (given_like or len(given) == 2) and (
                    not risky or (given_like and (weak or personal or (not split and len(given) == 2)))
                    or (not freq.get(word) and _name_like(given, _RISKY_GIVEN_LLR))
                )
            else:
                # No context: an unknown word of surname + given-name characters (the HMM's new words).
                ok = given_like and (dict_person or not freq.get(word)) and (
                    not risky or (len(given) == 2 and _name_like(given, _BARE_RISKY_LLR))
                )
                if ok and split and len(given) == 1 and (risky or not _followed_by_break(after)):
                    ok = False
                if not ok and s == 0 and end == len(run) and given_like and not common and tag != "ns" and _list_item(text, base, base + end):
                    # the whole Chinese run, an item of a numbered list or a form's field (1. 周丽 2. 徐刚, 联系人：王强);
                    # a dictionary word, a place or a weak given name (鲁西, 银保监) is no such item
                    ok = _name_like(given, _RISKY_GIVEN_LLR if len(given) == 1 else _BARE_RISKY_LLR)
            if ok and not (len(word) == 3 and word[-1] in _ZH_LANDMARK_END and not cue):
                out.append(Span(base + s, base + end, "PERSON", 0.75 if cue or title_or_verb else 0.6, "zh_name"))
        # Foreign names written with a middle dot (詹姆斯·威尔逊), in characters used for transliteration.
        for m in _ZH_FOREIGN.finditer(run):
            out.append(Span(base + m.start(), base + m.end(), "PERSON", 0.8, "zh_foreign"))
    # Three-character names read from the characters: jieba cuts many of them (白雪/梅, 方志/远, 刘德明通).
    out.extend(_char_names(text, freq, tags))
    out.extend(_subject_names(text, freq, tags))
    out.extend(_dotted_names(text))
    out.extend(_titled_names(text, freq, tags))
    out.extend(_rare_surname_names(text, freq, tags))
    out.extend(_home_names(text, freq, tags))
    out.extend(_owner_names(text, freq, tags))
    out.extend(_cued_given_names(text, freq, tags))
    out.extend(_unlisted_surname_names(text, freq, tags))
    out.extend(_minority_names(text, out, freq, tags))
    out.extend(_coordinated_names(text, out, freq, tags))
    out.extend(_extended_names(text, out, freq))
    # After a strong cue the name is read from the characters themselves: jieba may cut it badly
    # (账户名房志强 → 账户/名房/志强).
    for m in _ZH_CUE_NAME.finditer(text):
        surname, rest = m.group(1), m.group(2)
        given = ""
        for c in rest:
            if c in _ZH_NOT_GIVEN or (given and c not in given_chars()):
                break
            given += c
        word = surname + given
        if not given or _common_word(word, freq, tags) or "ns" in (tags.get(word), tags.get(word[:2])):
            continue
        # (after a compound surname the first two characters are the surname itself: 孙子宇文浩)
        if (len(word) > 2 and len(surname) == 1 and _common_word(word[:2], freq, tags)) or (
                surname in _ZH_RISKY and not all(c in given_chars() for c in given)):
            continue
        after = text[m.start(1) + len(word): m.start(1) + len(word) + 6]
        if after.startswith(_ZH_ORG_SUFFIX):
            continue
        out.append(Span(m.start(1), m.start(1) + len(word), "PERSON", 0.8, "zh_cue_name"))
    out.extend(_called_names(text, freq, tags))
    if NAME_SCORING:
        out.extend(_scored_names(text, freq, tags))
    return out + _repeated_names(text, out)


#: "a … called X": a naming verb, then a surname and one or two characters, then 的 and a word for a person
#: (一个叫严峻的客户, 名叫白露的姑娘).
_ZH_CALLED = re.compile(
    rf"(?:名叫|叫做|名字叫|叫)((?:{'|'.join(ZH_COMPOUND_SURNAMES)}|[{ZH_SURNAMES}])[{CJK}]{{1,2}}?)的"
    r"(?:客户|借款人|人|男的|女的|男人|女人|小伙子?|姑娘|老人|老太太|老头|阿姨|大爷|大姐|大哥|朋友|同事|邻居|孩子|租客|房东|老板|员工)"
)


def _called_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A name between a naming verb and 的 + a word for a person (`_ZH_CALLED`): the frame says it is somebody's
    name even when it is also a word (严峻 is "severe", 白露 a solar term). No particle may stand in it."""
    out: list[Span] = []
    for m in _ZH_CALLED.finditer(text):
        word = m.group(1)
        if any(c in _ZH_PARTICLES for c in word) or word in _ZH_CUES:
            continue
        out.append(Span(m.start(1), m.end(1), "PERSON", 0.75, "zh_called"))
    return out


#: What may stand just before a name read from its characters: a particle or verb that takes a person.
_ZH_BEFORE_NAME = set("是跟和与及、把给让叫找问对向同被由户时，。！？：；（“「 ")  # 时: 上门时肖红梅不在
#: What follows a person and not a word: the `_ZH_AFTER` words and verbs a person does (接电话, 加了微信, 回来了).
#: Things a person does that a word seldom precedes: enough after a risky surname or a place-like start.
_ZH_DOES = re.compile(r"接|通了|加了|回来|回去|只有|要求|老家|跟|和")
#: The given name's mean character score needed after a risky surname: bare (季晨今天) or read from characters.
_RISKY_GIVEN_LLR = 1.5
#: … and with no context at all (银保监 is a regulator: 保, 监 are weak given-name characters).
_BARE_RISKY_LLR = 1.0
_LISTED_LLR = 1.0
#: The score of a character the dictionary never uses.
_RARE_LLR = 2.0
_CHAR_NAME_LLR = 1.5


def _name_like(given: str, mean: float) -> bool:
    """Every character of `given` is a given-name character and their mean score reaches `mean` (a character
    of the hand list scores at least `_LISTED_LLR`: the dictionary's people are not everyone's names, 彤 is
    not among them)."""
    llr = given_char_llr()
    if not given or not all(_is_given(c) for c in given):
        return False
    return sum(max(llr.get(c, _RARE_LLR), _LISTED_LLR if c in ZH_GIVEN_CHARS else -9.0) for c in given) / len(given) >= mean
_ZH_PERSON_NEXT = re.compile(
    rf"{_ZH_AFTER.pattern}|{_ZH_DOES.pattern}|(?:回家|呢|帮|一直|刚|又|已|都|没|想|会|能|可以|答应|不同意|不肯|不愿)"
)
@cache
def _char_name_re() -> re.Pattern[str]:
    return re.compile(rf"(?=({'|'.join(ZH_COMPOUND_SURNAMES)}|[{ZH_SURNAMES}])([{''.join(sorted(given_chars()))}]{{2}}))")


#: A person's home after a name: 家 and then a break or where at the home (去了刘建国家，, 到陈志明家里): the name's last
#: character and 家 are then no word (国家, 明家), whatever jieba's cut says.
_ZH_HOME_AFTER = re.compile(r"家(?:[，。！？；、,.!?;\s]|$|里|门口|楼下|附近|的(?:人|门)|人|拜访|坐)|(?:店|厂)(?:里|门口)")
#: Going to or being at a place: what stands before "X家" when X is a person (去了, 到, 在, 回, 从).
_ZH_VISIT_BEFORE = ("去了", "到了", "去过", "来过", "去", "到", "在", "回", "从", "上", "来", "离开", "找到", "拜访", "走访")


def _home_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A surname and one or two given-name characters before 家 and a break, or before 店里/厂里 (one's shop or works:
    下午去了米振东店里) (`_ZH_HOME_AFTER`), after going or
    being there (`_ZH_VISIT_BEFORE`): 去了刘建国家，他老婆说 is Liu Jianguo's home, though jieba reads 国家 (a state)
    and tags 建国 a place. A dictionary word (老家, 大家, 国家 are no surname + given name) stays."""
    out: list[Span] = []
    for m in _ZH_HOME_AFTER.finditer(text):
        home = m.start()
        for n in (2, 1):
            start = home - n - 1
            if start < 0:
                continue
            surname, given = text[start], text[start + 1: home]
            word = surname + given
            if surname not in ZH_SURNAMES or not text.endswith(_ZH_VISIT_BEFORE, 0, start):
                continue
            if not all(_is_given(c) and c not in _ZH_NOT_GIVEN for c in given) or word in _ZH_NOT_NAMES:
                continue
            if _common_word(word, freq, tags) or tags.get(word) == "ns" or (surname in _ZH_RISKY and n == 1):
                continue
            out.append(Span(start, home, "PERSON", 0.6, "zh_home"))
            break
    return out


#: A date, a time or a day just before a name: it stands apart like a clause break (13号练志强答应, 3月5日莫斌来电).
_ZH_DATE_BEFORE = re.compile(r"(?:\d{1,4}\s?(?:号|日|点半?|月|年)|[零一二两三四五六七八九十]{1,3}(?:号|日|点))$")
#: What a name is typed straight before in agents' notes: an identifier of the person's own (于洋QQ：…, 阿强手机…,
#: 婷婷的微信号：…).
_ZH_OWNED = re.compile(r"的?(?:手机|电话|座机|身份证|QQ|qq|微信|邮箱|卡号|账号|银行卡|信用卡)")
_ZH_FUNCTION_TAGS = ("t", "m", "f", "d", "p", "c", "r", "v", "q", "u", "a")


#: Characters of kinship and age that make 阿/doubled forms words for relatives, not names (阿婆, 阿姨, 宝宝, 妹妹),
#: and numerals (阿三 is a slur, 阿大 a rank).
_ZH_KIN_CHARS = set("婆公姨伯叔婶嫂哥妹弟姐爸妈爷奶舅姑娘宝娃一二三四五六七八九十大")


def _nickname(word: str) -> bool:
    """A familiar form without a surname: 阿 and a given-name character (阿强, 阿珍), or a doubled one (婷婷, 芳芳);
    not a word for a relative (阿婆, 宝宝)."""
    return len(word) == 2 and word[1] not in _ZH_KIN_CHARS and (
        (word[0] == "阿" and _is_given(word[1]) and word[1] not in _ZH_NOT_GIVEN)
        or (word[0] == word[1] and word[0] in ZH_GIVEN_CHARS))


def _owner_word(word: str, freq: dict[str, int], tags: dict[str, str]) -> bool:
    """`word`, standing alone before a person's identifier, is a name: a surname and one or two given-name characters,
    a familiar form (`_nickname`), and no everyday word, role, place or function word (客户手机, 单位电话, 江西身份证)."""
    if word in _ZH_NOT_NAMES or word in _ZH_CUES or any(c in _ZH_PARTICLES for c in word):
        return False
    tag, f = tags.get(word, ""), freq.get(word, 0)
    if tag[:1] in _ZH_FUNCTION_TAGS or (tag == "ns" and f >= _LIFE_ONLY_FREQ) or (f >= _COMMON_NOUN and not tag.startswith("nr")):
        return False
    if _nickname(word):
        return True
    surname = _surname_of(word)
    given = word[len(surname):]
    if not surname or not 1 <= len(given) <= 2 or not all(_is_given(c) and c not in _ZH_NOT_GIVEN for c in given):
        return False
    return not (len(given) == 2 and len(surname) == 1 and _everyday(word[:2], freq, tags))


def _owner_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A name typed straight before an identifier of its own (`_ZH_OWNED`), standing on its own: at the start, after
    a break, a number or a Latin word, a cue word (借款人于洋手机) or a date (`_ZH_DATE_BEFORE`). The longest such
    word of two to four characters that is shaped like a name (`_owner_word`) is taken, whatever jieba's cut."""
    out: list[Span] = []
    for m in _ZH_OWNED.finditer(text):
        end = m.start()
        for k in (4, 3, 2):
            start = end - k
            if start < 0 or not all(CJK_CHAR.match(c) for c in text[start:end]):
                continue
            before = text[start - 1] if start else "，"
            alone = (not CJK_CHAR.match(before) or before in "是叫" or _cue_before(text, start, text, 0)
                     or bool(_ZH_DATE_BEFORE.search(text, 0, start)))
            if alone and _owner_word(text[start:end], freq, tags):
                out.append(Span(start, end, "PERSON", 0.7, "zh_owner"))
                break
    return out


#: After a strong cue, a given name or a familiar form alone, then a break or what a person does (老婆叫秀英，;
#: 联系人：阿珍，).
@cache
def _cued_given_re() -> re.Pattern[str]:
    cues = "|".join(sorted(_ZH_NAME_CUES, key=len, reverse=True))
    return re.compile(rf"(?:{cues})[：:\s]*(?:是|为|叫)?\s*([{CJK}]{{2}})(?=[，。！？；、,.!?;\s“”]|$|{_ZH_STRONG_NEXT.pattern})")


def _cued_given_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A given name without its surname, or a familiar form, right after a cue word (`_cued_given_re`): a given name
    jieba's dictionary lists as a person (秀英) or a nickname (阿珍); no everyday word (客户满意，, 女儿小学) and no
    other word a thing is called by (这儿叫蚰子, 东北叫梦生)."""
    out: list[Span] = []
    for m in _cued_given_re().finditer(text):
        word = m.group(1)
        if word in _ZH_NOT_NAMES or word in _ZH_CUES or _surname_of(word):
            continue
        tag, f = tags.get(word, ""), freq.get(word, 0)
        if tag[:1] in _ZH_FUNCTION_TAGS or tag == "ns" or f >= (_COMMON_NAME_WORD if tag.startswith("nr") else _LIFE_ONLY_FREQ):
            continue
        if _nickname(word) or (tag.startswith("nr") and _name_like(word, _BARE_RISKY_LLR)):
            out.append(Span(m.start(1), m.end(1), "PERSON", 0.7, "zh_cued_given"))
    return out


def _char_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """Surname + two given-name characters, from the characters themselves, where what stands
    before it takes a person (the start, a cue, 是/跟/和 …) and what follows is something people do
    ("魏国强回来了没", "好像是邓丽华接的电话"). Dictionary words and places are left alone."""
    out: list[Span] = []
    for m in _char_name_re().finditer(text):
        surname, given = m.group(1), m.group(2)
        start, end = m.start(), m.start() + len(surname) + 2
        word = text[start:end]
        if any(c in _ZH_NOT_GIVEN for c in given) or word in _ZH_NOT_NAMES or _common_word(word, freq, tags):
            continue
        if tags.get(word) == "ns" or (freq.get(given, 0) >= 2000 and not tags.get(given, "").startswith("nr")):
            continue
        # a place word in front (魏国, 罗家, 欧阳) is still a name when the person acts: 魏国强回来了没
        place_like = tags.get(word[:2]) == "ns" and word[:2] not in ZH_COMPOUND_SURNAMES
        before = text[start - 1] if start else " "
        cue = _cue_before(text, start, text, 0)
        weak = not cue and _cue_before(text, start, text, 0, _ZH_WEAK_CUES)
        dated = bool(_ZH_DATE_BEFORE.search(text, 0, start))
        if not (cue or weak or dated or before in _ZH_BEFORE_NAME or not CJK_CHAR.match(before)):
            continue
        after = text[end: end + 6]
        if (start == 0 or before in "，。！？；：,.!?;: " or dated) and re.match(r"\d", after) and not freq.get(word) and all(
                CJK_CHAR.match(c) for c in given):
            after = "，" + after  # 黎明辉15号发工资: at a clause's head, a number after the name ends it like a break
        if _everyday(text[end - 1: end + 1], freq, tags) and len(text[end - 1: end + 1]) == 2:
            continue  # the last character begins a word with what follows (客户权益保|护)
        if after.startswith(_ZH_ORG_SUFFIX) or not (cue or _ZH_PERSON_NEXT.match(after) or (weak and _followed_by_break(after))):
            continue
        if after.startswith("，") and not text[end:end + 1] == "，":
            after = after[1:]
        strong = bool(cue or _ZH_ACTS.match(after) or _ZH_PERSONAL.match(after) or _ZH_DOES.match(after))
        if (surname in _ZH_RISKY or place_like) and not strong and not _name_like(given, _CHAR_NAME_LLR):
            continue
        out.append(Span(start, end, "PERSON", 0.65, "zh_char_name"))
    return out


#: Characters that spell the syllables of Tibetan, Mongolian, Uyghur/Kazakh, Yi and Dai given names in Chinese
#: (次仁, 卓玛, 央金, 平措, 旺堆; 其其格, 格日乐; 古丽, 阿依; 曲比, 石呷) that neither the transliteration list nor
#: jieba's `nrt` entries supply, several of them also function words elsewhere (其, 日, 次).
_ZH_MINORITY_CHARS = set(
    "次其日曲央措堆旺桑琼嘎姆卓玛扎西顿仁珠拉巴吉增丹旦贡洛罗布普琼觉宗强白边益泽降索朗尼米尔达娃平"
    "乌云格乐敖登图雅宝音那仁斯琴高娃额敦朝鲁孟特木毕力根哈赛满都查干塔娜托娅"
    "古丽娜阿依莎买提吐逊艾热合曼卜杜努帕迪米江孜肉托亚森玉素甫吾别克"
    "比石呷沙马果基苦海来伍俄约且"
    # Dai: 岩 opens a man's name, 玉 a woman's (岩温, 玉罕, 岩坎)
    "岩罕坎香"
)
#: Characters that end a place, an institution, a people or a language, not a name (拉萨市, 那曲县, 藏族, 河南人).
_ZH_MINORITY_NOT_END = set("区县市镇村省路街州山河湖乡旗盟寺庙宫湾港岛城人族语")


@cache
def _minority_alphabet() -> frozenset[str]:
    """Characters a minority or transliterated name is made of: those of dotted names, the minority syllables and
    the hand list of given-name characters, less particles and the verbs that follow a name (说, 在, 是 …)."""
    return frozenset((_dotted_name_chars() | _ZH_MINORITY_CHARS | ZH_GIVEN_CHARS) - _ZH_PARTICLES - set("说讲问在是家也都就又还要会能想约"))


@cache
def _foreign_chars() -> frozenset[str]:
    """Characters typical of transliterated and minority names (not of Han given names): enough of them in a
    candidate sets it apart from an ordinary Chinese word."""
    frequent = {c for c, k in _transliteration_counts().items() if k >= 20}
    return frozenset(set(_ZH_TRANSLIT) | _ZH_MINORITY_CHARS | frequent)


_ZH_NUMERALS = set("一二三四五六七八九十百千万两几")
#: Titles after a transliterated name (史密斯先生, 约翰逊女士).
_ZH_FOREIGN_TITLE = re.compile(r"先生|女士|小姐|太太|夫人")
#: A dictionary word at least this frequent is a word (哈密瓜 22, 马拉松 80), unless a strong cue names it a person.
_MINORITY_DICT_FREQ = 20
#: … and after a cue, at least this frequent (客户一次或…, 叫保安).
_MINORITY_CUED_FREQ = 100


def _minority_plausible(word: str, freq: dict[str, int], tags: dict[str, str], cued: bool = False, titled: bool = False) -> bool:
    """`word` could be a minority or transliterated name: most of its characters are foreign-name characters, it
    does not end like a place, holds no numeral, it is not itself a dictionary word (unless `cued`: after 表姐, 德吉
    is a person; or `titled` and the dictionary lists it as a person: 史密斯先生),
    and no everyday word of the dictionary sits inside it (会计, 村里, 同事)."""
    foreign = _foreign_chars()
    if sum(c in foreign for c in word) * 2 < len(word) + 1 or word[-1] in _ZH_MINORITY_NOT_END:
        return False
    if any(c in _ZH_NUMERALS for c in word) or word in _ZH_NOT_NAMES or word in _ZH_CUES:
        return False  # 一米八小姐姐
    if freq.get(word, 0) >= (_MINORITY_CUED_FREQ if cued else _MINORITY_DICT_FREQ) and not (titled and tags.get(word, "").startswith("nr")):
        return False  # 哈密瓜, 马拉松, 托福, 阿拉: jieba's tags cannot tell them from names (it tags them `nr`)
    for n in range(2, len(word)):
        for i in range(len(word) - n + 1):
            part = word[i: i + n]
            if (freq.get(part, 0) >= 300 and not tags.get(part, "").startswith("nr")) or part in _ZH_NOT_NAMES:
                return False  # … nor one of ours (马虎 is tagged `nr`)
    return True


def _minority_names(text: str, found: list[Span], freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """Tibetan, Mongolian, Uyghur, Yi and other names written in Chinese without a middle dot (次仁卓玛, 其其格,
    古丽娜尔, 曲比石呷, 买买提江吐尔逊): no surname list knows them and jieba cuts them anywhere (扎/西平/措和).
    They are read from the characters: where a subject or object stands (a clause's head, after 跟/和/让 …, after a
    cue word) a run of two to eight foreign-name characters (`_minority_plausible`) is a name when what follows it
    is something only a person does (`_next_is_person`, `_ZH_LIFE_NEXT`: the shortest run that fits wins) or a title
    (史密斯先生, masked with it), or, after a strong cue (借款人, 表姐), when it ends where jieba's cut ends a word (借款人达瓦顿珠|汉语)."""
    alphabet, foreign = _minority_alphabet(), _foreign_chars()
    inside = bytearray(len(text) + 1)  # strictly inside a name already found: no run starts there
    for s in found:
        inside[s.start + 1: s.end] = b"\x01" * max(0, s.end - s.start - 1)
    out: list[Span] = []
    ends: set[int] | None = None
    p = 0
    while p < len(text) - 1:
        if text[p] not in alphabet or inside[p] or text[p + 1] not in alphabet:
            p += 1
            continue
        run = ""
        for c in text[p: p + 8]:
            if c not in alphabet:
                break
            run += c
        if sum(c in foreign for c in run) < 2:  # `_minority_plausible` needs two foreign-name characters at least
            p += 1
            continue
        before = text[p - 1] if p else "，"
        head = before in _ZH_SUBJECT_BEFORE or not CJK_CHAR.match(before) or text.endswith(_ZH_TIME_BEFORE, 0, p)
        cue: bool | None = None if head else bool(p) and _cue_before(text, p, text, 0)
        if not (head or cue):
            p += 1
            continue
        best = 0
        for n in range(2, len(run) + 1):
            after = text[p + n: p + n + 12]
            if after[:1] in _ZH_PLACE_NEXT or not _minority_plausible(run[:n], freq, tags, titled=bool(_ZH_FOREIGN_TITLE.match(after))):
                continue
            if _next_is_person(after):
                best = n
                break
            title = _ZH_FOREIGN_TITLE.match(after)
            if title and (freq.get(run[:n], 0) < _MINORITY_DICT_FREQ or tags.get(run[:n], "").startswith("nr")):
                # 史密斯先生: a transliterated name (the dictionary may list it as one) and its title, one span
                best = n + len(title.group(0))
                break
        if not best and cue is None:
            cue = bool(p) and _cue_before(text, p, text, 0)
        if not best and cue and len(run) >= 2:
            if ends is None:
                jieba = _jieba()[0]
                ends, at = set(), 0
                for tok in jieba.cut(text, HMM=True):
                    at += len(tok)
                    ends.add(at)
            best = next((n for n in range(len(run), 1, -1) if p + n in ends and _minority_plausible(run[:n], freq, tags, True)), 0)
        if best:
            out.append(Span(p, p + best, "PERSON", 0.65, "zh_minority"))
            p += best
        else:
            p += 1
    return out


def _repeated_names(text: str, found: list[Span]) -> list[Span]:
    """Every other occurrence of a Chinese name found somewhere in the text (岩温和玉罕…能跟岩温谈吗): a name the
    context gave away once is the same person where the context is silent, and a name masked once but left in
    clear elsewhere still leaks."""
    out: list[Span] = []
    values = {text[s.start: s.end] for s in found if s.kind == "PERSON"}
    for value in values:
        if len(value) < 2 or not all(CJK_CHAR.match(c) or c in "·•" for c in value):
            continue
        at = text.find(value)
        while at != -1:
            if not any(s.start <= at and s.end >= at + len(value) for s in found):
                out.append(Span(at, at + len(value), "PERSON", 0.6, "zh_repeated"))
            at = text.find(value, at + len(value))
    return out


#: A surname character this rare as a word of jieba's dictionary (笪 54, 仉 38, 邹, 闫, 龚 …) seldom begins an
#: ordinary word: after it, a given name that is also a word is still a given name (笪秋月).
_RARE_SURNAME_FREQ = 200


@cache
def _rare_surnames() -> frozenset[str]:
    """Single surnames of `ZH_SURNAMES` that jieba's dictionary seldom uses as a word on their own."""
    _, freq, _ = _jieba()
    return frozenset(c for c in ZH_SURNAMES if freq.get(c, 0) < _RARE_SURNAME_FREQ and c not in _ZH_RISKY)


def _rare_surname_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A rare surname (`_rare_surnames`) or a compound one and two more characters, ended where a name ends
    (`_ZH_AFTER_NAME_END`: a break, 家, what a person does), are a name even when the given name is also a word
    (笪秋月问, 上次去仉建业家, 公孙建业是): rare surnames begin almost no ordinary words, so neither a clause head
    nor given-name characters are needed. What is a word with the character before it (忧郁), a word begun
    by the surname and its next character (巩固, 甄别) or a dictionary word or place as a whole is left alone."""
    rare = _rare_surnames()
    out: list[Span] = []
    for m in _rare_surname_re().finditer(text):
        surname, start = m.group(1), m.start(1)
        if len(surname) == 1 and surname not in rare:
            continue
        at = start + len(surname)
        given = text[at: at + 2]
        word = surname + given
        # a character the function-word list holds may stand in the given name (秋月: 月), not a particle or a verb
        if len(given) < 2 or not all(CJK_CHAR.match(c) and c not in _ZH_PARTICLES and c not in "说讲问在是有" for c in given) \
                or not any(_is_given(c) for c in given):
            continue
        if freq.get(word) or word in _ZH_NOT_NAMES or tags.get(word[:2]) == "ns" or (start and freq.get(text[start - 1: at], 0) >= 5):
            continue  # 冉冉升起, 忧郁: the surname character ends a word with the one before it
        if len(surname) == 1 and _everyday(word[:2], freq, tags):
            continue  # 巩固, 甄别, 鞠躬: the surname character begins a word
        if len(surname) == 2 and (_everyday(given, freq, tags) or not all(_is_given(c) for c in given)):
            continue  # 东方红, 司马迁 aside, a compound surname's given name is a name's
        if text[at + 2: at + 3] in _ZH_PLACE_NEXT or not _ZH_AFTER_NAME_END.match(text, at + 2):
            continue
        out.append(Span(start, at + 2, "PERSON", 0.65, "zh_rare_surname"))
    return out


@cache
def _rare_surname_re() -> re.Pattern[str]:
    return re.compile(rf"(?=({'|'.join(ZH_COMPOUND_SURNAMES)}|[{''.join(sorted(_rare_surnames()))}]))")


#: Characters that end a clause: a name heading the next one needs no surname from the list (过志成说).
_ZH_CLAUSE_HEAD_BEFORE = set("，。！？；：,.!?;:“”\"（( \n")


def _unlisted_surname_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """A name whose surname the list lacks (过志成, 招嘉伟): at the head of a clause, a character and a strongly
    name-like given name of two characters (`_name_like` at `_RISKY_GIVEN_LLR`, no everyday word), followed by
    speech, a promise, a call or an adverb and one of those (`_ZH_STRONG_NEXT`, `_ZH_AFTER_ADVERB`). The three
    characters are no dictionary word and the first two none either (不过, 通知)."""
    out: list[Span] = []
    for m in re.finditer(rf"(?:^|(?<=[，。！？；：,.!?;:“”\"（(\s]))([{CJK}])([{CJK}]{{2}})", text):
        first, given, start = m.group(1), m.group(2), m.start(1)
        word = first + given
        if first in ZH_SURNAMES or first in _ZH_PARTICLES or first in _ZH_SUBJECT_BEFORE or first in _GLUED_BEFORE \
                or first in "一二三四五六七八九十百千万几每各该某本此" or (given[0] in ZH_SURNAMES and given[0] not in _ZH_RISKY):
            continue  # 跟芦俊说: a verb before a name, not a surname
        if freq.get(word) or freq.get(word[:2], 0) or word in _ZH_NOT_NAMES:
            continue
        if not _name_like(given, _RISKY_GIVEN_LLR) or (_everyday(given, freq, tags) and not tags.get(given, "").startswith("nr")):
            continue
        after = text[m.end(2): m.end(2) + 12]
        if _ZH_STRONG_NEXT.match(after) or _ZH_AFTER_ADVERB.match(after):
            out.append(Span(start, m.end(2), "PERSON", 0.6, "zh_unlisted_surname"))
    return out


#: Characters the HMM glues onto an unknown name: a cue verb before it (叫罗敏), a verb after it (吕婷留, 郭总说).
_GLUED_BEFORE = set("叫和跟找让给问与同被把对向由请到见访")
_GLUED_AFTER = set("说留住讲在是和跟的也都就又还要会不没想让给把被")


def _resplit(tokens: Iterable[str], freq: dict[str, int]) -> Iterator[str]:
    """jieba's tokens, with a glued cue or verb split off an unknown word of three or more characters."""
    for tok in tokens:
        if len(tok) == 2 and not freq.get(tok) and tok[0] in _GLUED_BEFORE and tok[1] in ZH_SURNAMES:
            yield tok[0]  # 跟纪/凌尘 -> 跟/纪/凌尘
            yield tok[1]
            continue
        if len(tok) == 2 and not freq.get(tok) and tok[1] in _GLUED_AFTER and tok[0] in ZH_SURNAMES:
            yield tok[0]  # 小/李说 -> 小/李/说
            yield tok[1]
            continue
        if len(tok) >= 3 and not freq.get(tok) and CJK_CHAR.match(tok):
            if tok[0] in _GLUED_BEFORE and _surname_of(tok[1:]):
                yield tok[0]
                tok = tok[1:]
            if len(tok) >= 3 and tok[-1] in _GLUED_AFTER:
                yield tok[:-1]
                yield tok[-1]
                continue
        yield tok


#: What stands around an item of a list or a form's field: a space, a list number's dot, a colon, a separator.
_LIST_BEFORE = set(" \t\n.:：、，,;；)）]】")
_LIST_AFTER = set(" \t\n，,。.;；:：(（)）")


def _list_item(text: str, start: int, end: int) -> bool:
    """text[start:end] stands alone as a list item or a field value (`_LIST_BEFORE`, `_LIST_AFTER`), not inside
    an alternation such as 物业|保安|楼长."""
    return (start == 0 or text[start - 1] in _LIST_BEFORE) and (end == len(text) or text[end] in _LIST_AFTER)


def _followed_by_break(after: str) -> bool:
    return not after or bool(re.match(r"[，。、；：！？（）\s]|的|说|和|与", after))


def _org_follows(tokens: list[tuple[int, int, str]], i: int, run: str, end: int) -> bool:
    """A company or place follows the candidate with nothing but nouns between (兰亭消费金融有限公司)."""
    nxt = [t for t in tokens if t[0] >= end][:3]
    for _s, _e, tok in nxt:
        if tok in _ZH_ORG_SUFFIX or tok.endswith(("公司", "银行", "集团", "金融", "法院", "医院")):
            return True
        if any(c in _ZH_NOT_GIVEN for c in tok) or len(tok) == 1:
            return False
    return False


# -- a statistical score for candidate name spans ----------------------------------------------------
#
# The recognisers above are rules: each names a shape (a cue, then a surname and given-name characters; a name at a
# clause's head before speech …) and says yes or no. A name whose given characters miss the hand list, or whose context
# is a little different from every shape, is missed although the evidence, added up, is plain (借款人潘会芳说,
# 包德有打来电话). `_scored_names` adds the evidence up instead: every surname in the text (compound ones too) with one or
# two characters after it is a candidate, and its score is the sum of
#
# * how name-like its given characters are: the mean of `given_char_llr` (jieba's `nr` people against its other
#   words), a character of the hand list counting at least `_LISTED_LLR`, one the dictionary never uses `_RARE_LLR`;
# * its surname (`surname_llr`: how much likelier the character opens one of jieba's `nr` people than it stands in
#   its other words, so 王, 郑, 笪 score high and 国, 方, 常 low); a compound surname begins almost no word;
# * whether the candidate is itself a dictionary word (by frequency, whatever jieba's tag: it tags 井盖 and 石家庄
#   `nr`; an `ns` place needs what only a person does after it), and whether a character makes a word with its
#   neighbour (陈|述, 张伟|明天, 高兴|地) or the candidate begins a longer word (乌鲁|木齐);
# * what stands before it (`_before_kind`: the start, a clause break, a cue word, a verb that takes a person, a date)
#   and what follows (`_after_kind`: speech and what only a person does, a possessed identifier or relative, a home,
#   a break, a place or an organisation); breaks on both sides alone are not enough.
#
# A candidate scoring `NAME_SCORE_MIN` or more is a name. The weights are round numbers set by hand from what each
# feature means; the threshold was chosen on the dev split of the redaction rows, for precision (no hard negative
# over-masked, no new false span), and checked on the dev rows with their names replaced by names drawn from
# population statistics (see `evals/datasets/redaction.README.md`).

#: Whether the scorer runs (off only to measure the rules alone).
NAME_SCORING = True
#: The score a candidate needs to be masked.
NAME_SCORE_MIN = 3.0
_W_GIVEN = 1.0
_LLR_CLIP = (-3.0, 2.5)
#: What stands before a candidate: a strong cue, a weak one, a break, a date, a time word, 的, or a word it is glued to.
_W_BEFORE = {"cue": 2.5, "weak": 1.0, "break": 1.0, "date": 1.0, "time": 0.8, "de": 0.3, "glued": -1.5}
#: What follows it: what only a person does, a possessed identifier, a personal word, a weaker verb or particle, a
#: break, a place or organisation, anything else.
_W_AFTER = {"person": 2.5, "owned": 2.5, "personal": 2.0, "after": 0.8, "break": 0.5, "place": -3.0, "other": -1.0}
_W_AFTER_MAX = max(_W_AFTER.values())
#: The surname's weight: `surname_llr` (clipped) times this; a compound surname begins almost no word.
_W_SURNAME = 0.5
_SURNAME_CLIP = 3.0
_W_COMPOUND = 1.5
_W_WORD = 1.0
_W_IN_DICT = -1.5
_W_DOUBLED = -1.0
_WORD_PENALTY_MAX = 3.0
_W_EDGE = -2.0
_W_EDGE_FREQ = 0.5
#: A longer dictionary word the candidate begins, this frequent, makes it part of that word.
_IN_WORD_FREQ = 20
#: Breaks and brackets before a candidate.
#: Characters no given name holds: particles and pronouns (来, 和, 有, 才 do, though rarely: `given_char_llr` says how rarely).
_SCORE_NEVER_GIVEN = set("的了着吗呢吧啊呀哦嗯们这那哪些个么我你他她它")
#: What follows a place rather than a person (常德那边, 许昌的厂里, 金山一带).
_SCORE_PLACE_AFTER = ("那边", "这边", "那里", "这里", "一带", "附近", "周边", "的厂", "的案子", "城", "里", "人")
_SCORE_BREAKS = set("，。！？；：、,.!?;: \t\n“”\"‘’'（()（）「」《》【】[]/-—")


def _given_score(given: str) -> float | None:
    """Mean name-likeness of the given characters (natural log odds, clipped); None when one cannot be in a name."""
    llr = given_char_llr()
    total = 0.0
    for c in given:
        if not CJK_CHAR.match(c) or c in _SCORE_NEVER_GIVEN:
            return None
        v = llr.get(c, _RARE_LLR)
        if c in ZH_GIVEN_CHARS:
            v = max(v, _LISTED_LLR)
        total += min(max(v, _LLR_CLIP[0]), _LLR_CLIP[1])
    return total / len(given)


def _before_kind(text: str, start: int) -> str:
    """What stands before a candidate (a key of `_W_BEFORE`)."""
    if start == 0 or text[start - 1] in _SCORE_BREAKS:
        return "break"
    if _cue_before(text, start, text, 0):
        return "cue"
    if (_cue_before(text, start, text, 0, _ZH_WEAK_CUES) or text[start - 1] in _ZH_BEFORE_NAME
            or text.endswith(_ZH_VISIT_BEFORE, 0, start)):
        return "weak"
    if _ZH_DATE_BEFORE.search(text, max(0, start - 12), start):  # a window: the pattern is anchored at its end
        return "date"
    if text.endswith(_ZH_TIME_BEFORE, 0, start):
        return "time"
    if text[start - 1] == "的":
        return "de"
    return "glued" if CJK_CHAR.match(text[start - 1]) else "break"


def _after_kind(text: str, end: int) -> str:
    """What follows a candidate (a key of `_W_AFTER`)."""
    after = text[end: end + 12]
    if not after or after[0] in _SCORE_BREAKS:
        return "break"
    if after[0] in _ZH_PLACE_NEXT or after.startswith(_ZH_ORG_SUFFIX) or after.startswith(_SCORE_PLACE_AFTER):
        return "place"
    if _ZH_OWNED.match(after):
        return "owned"
    if _next_is_person(after):
        return "person"
    if _ZH_PERSONAL.match(after) or _ZH_HOME_AFTER.match(after):
        return "personal"
    if _ZH_AFTER.match(after):
        return "after"
    return "other" if CJK_CHAR.match(after[0]) else "break"


#: Contexts that say something for a person; a candidate with none of them on either side is no name (breaks alone).
_SPEAKING_BEFORE = {"cue", "weak", "date", "time"}
_SPEAKING_AFTER = {"person", "owned", "personal", "after"}


def name_score(text: str, start: int, surname: str, n: int, freq: dict[str, int], tags: dict[str, str],
               before_kind: str | None = None) -> float | None:
    """The score of text[start: start + len(surname) + n] as a name (surname + n given characters); None when it
    cannot be one (a particle in it, a listed non-name or cue word). `before_kind` is `_before_kind`, if known."""
    at = start + len(surname)
    end = at + n
    given = text[at:end]
    word = surname + given
    if len(given) < n:
        return None
    g = _given_score(given)
    if g is None or word in _ZH_NOT_NAMES or word in _ZH_CUES:
        return None
    score = _W_GIVEN * g
    if len(surname) == 2:
        score += _W_COMPOUND
    else:
        score += _W_SURNAME * min(max(surname_llr().get(surname, 0.0), -_SURNAME_CLIP), _SURNAME_CLIP)
    before_kind = before_kind or _before_kind(text, start)
    before = _W_BEFORE[before_kind]
    if score + before + _W_AFTER_MAX < NAME_SCORE_MIN:
        return None  # no context can lift it: spare the dictionary and the patterns
    tag, f = tags.get(word, ""), freq.get(word, 0)
    after_kind = _after_kind(text, end)
    if tag == "ns" and after_kind not in ("person", "owned"):
        return None  # a place, unless what follows is something only a person does (金华打来电话)
    if f:
        # a dictionary word, whatever its tag: jieba tags 石家庄, 井盖 and 仇富 `nr` as well as 林书豪
        score += _W_IN_DICT - min(_WORD_PENALTY_MAX, _W_WORD * math.log10(1 + f))
    if given[0] == surname[-1]:
        score += _W_DOUBLED  # 丁丁, 楼楼: a doubled character is a pet name or a word
    # a character that makes a word with its neighbour outside the candidate (陈|述, 张伟|明天), a surname that begins
    # a word with the first given character (高兴|地, 李子|淑), or a "given name" that is a word (向|邻居, 曾|长期):
    # the commoner the word, the surer
    pairs = [text[start - 1: start + 1] if start else "", text[end - 1: end + 1] if end < len(text) else ""]
    if n == 2 and len(surname) == 1:
        pairs += [word[:2], given]
    # … or the candidate begins a longer dictionary word (乌鲁|木齐)
    pairs += [w for w in (text[start: end + 1], text[start: end + 2]) if len(w) > len(word) and freq.get(w, 0) >= _IN_WORD_FREQ]
    for i, pair in enumerate(pairs):
        # jieba's `nr` tag is no guide for a frequent pair (张罗 311 `nr`): its frequency is
        if pair and (_everyday(pair, freq, tags) or freq.get(pair, 0) >= _WORD_FREQ or i >= 4):
            # a given name that is a word (自强, 得胜, 建国) is common among names: its frequency alone counts
            score += (0.0 if i == 3 else _W_EDGE) - _W_EDGE_FREQ * math.log10(1 + freq.get(pair, 0))
    if before_kind not in _SPEAKING_BEFORE and after_kind not in _SPEAKING_AFTER:
        return None  # breaks alone say nothing of a person (豫东、皖北,鲁西,苏北): some context must speak for it
    return score + before + _W_AFTER[after_kind]


def _scored_names(text: str, freq: dict[str, int], tags: dict[str, str]) -> list[Span]:
    """Candidates (a surname and one or two characters) whose `name_score` reaches `NAME_SCORE_MIN`; of the two
    lengths at one place, the better scoring."""
    out: list[Span] = []
    for m in _subject_re().finditer(text):
        surname, start = m.group(1), m.start()
        best: tuple[float, int] | None = None
        before = _before_kind(text, start)
        for n in (1, 2):
            s = name_score(text, start, surname, n, freq, tags, before)
            if s is not None and (best is None or s > best[0]):
                best = (s, n)
        if best and best[0] >= NAME_SCORE_MIN:
            n = best[1]
            three = text[start: start + len(surname) + 2]
            if n == 1 and len(three) == 3 and tags.get(three, "").startswith("nr"):
                n = 2  # the dictionary's three-character person (刘亦菲): its third character is the name's too
            out.append(Span(start, start + len(surname) + n, "PERSON", 0.6, "zh_scored"))
    return out


# -- English ---------------------------------------------------------------------------------------


def _load(name: str) -> frozenset[str]:
    text = resources.files("visitcoach.llm").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def given_names() -> frozenset[str]:
    return _load("given_names_en.txt") - _AMBIGUOUS_GIVEN


@cache
def all_given_names() -> frozenset[str]:
    return _load("given_names_en.txt")


@cache
def surnames() -> frozenset[str]:
    return _load("surnames_en.txt") - _AMBIGUOUS_SURNAMES


_MONTHS = "January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun"
#: Given names that are also everyday words, months, places or honorifics: a name only with more evidence.
_AMBIGUOUS_GIVEN = frozenset(
    (
        _MONTHS + " " + _DAYS + " Autumn Summer Winter Spring Bill Bob Brain Buck Buddy Chance Charity Chase Cliff "
        "Don Ed Faith Grace Grant Guy Hope Joy Dawn Iris Ivy Holly Amber Ruby Crystal Star Sky Page Lane Court Hunter "
        "King Royal Sterling Price Rich Gay Love Honey Carol Frank Jack Pat Art Ray Christian Earnest Ernest Harmony "
        "Destiny Miracle Unique Heaven Clay Dale Glen Wood Stone Rock River Forest Ash Sage Hazel Jade Pearl Opal "
        "Ginger Candy Cherry Daisy Lily Violet Olive Melody Bliss Lucky Sonny Sunny Rusty Dusty Buster Champ Colt Duke "
        "Earl Prince Princess Baron Marshal Marshall Bishop Deacon Dean Judge Justice Major General Carter Cook Baker "
        "Mason Miller Taylor Cooper Fisher Archer Porter Walker Ward Penny Bud Dot Dee Cat Kit Tip Bell Belle Lee Van "
        "Von Le La Del Al An In So Ok Man Son Sun Long Young Soon Will Mark Rob Jewel Jewell Junior Max Precious Reed "
        "Numbers Virginia Georgia Carolina Dakota Florence Victoria Sydney Paris Austin Houston Dallas Jackson Lincoln "
        "Washington Madison Chelsea Brooklyn Jordan India Asia Africa Kenya China London Camden Kent Devon Cornwall "
        "Sharon Chester Denver Orlando Phoenix Raleigh Tyler Troy Warren Wayne Sherman Stafford Stanford Preston Shelby "
        "Trinity Genesis Eden Bethany Angel Angela Merry Mercy Patience Prudence Temperance Constance Verity Hero "
        "Rich Ricky Bobby Sandy Rocky Dusty Woody Cash Chip Mac Jean Gene Ivory Ebony Coral Rosa Rose Marina Hart "
        "Harley Ford Morgan Stanley Barclay Lloyd Lloyds Santander Wells Fargo Chase Citi Capital Universal Child "
        "Benefit Christmas Easter Ramadan Eid Diwali Thanksgiving Halloween Memorial Independence Labor Labour "
        "Queen Lord Lady Sir Dame Miss Master Madam Doctor Nurse Officer Sergeant Captain Colonel Pastor Father "
        "Mother Brother Sister Aunt Uncle Agent Customer Borrower Debtor Guarantor Client Tenant Landlord Manager "
        "Ali Fatima Sue Drew Lance Rob Pat Bob Wade Dick Ken Kitty Ginger Sandy Misty Stormy Sunshine"
    ).split()
) - {"Ali", "Fatima"}
_AMBIGUOUS_SURNAMES = frozenset(
    "Street Road Lane Hill Wood Woods Rose Long Price Bell White Black Brown Green Gray Grey Young King Little Rice "
    "Ford West North South East Banks Bank Cash Case Field Fields House Park Parks Church Hall Rich Love Day Days "
    "May June Early Law Best Moore More Strong Short Small Sharp Major Judge Dean Marshall Bishop Pope Cook Baker "
    "Miller Walker Mason Carter Cooper Fisher Hunter Porter Ward Page Lane Stone Rock River Forest Wells Waters Lake "
    "Snow Frost Rain Winter Summers Spring Springs Lord Knight Noble Free Freeman Guy Power Powers Money Penny Person "
    "Poor Hope Joy Faith Grace Golden Silver Gold Swift Quick Fast Bright Wise Sweet Good Goodman Noble Able Hale "
    "English French German Welsh Irish Scott Holland Britain England Wales London Paris Berlin Washington Jackson "
    "Lincoln Houston Dallas Austin Denver Boston York Chester Lancaster Kent Camden Stafford Preston Hampton "
    "Benefit Credit Holiday Christmas Easter Friday Monday Sunday Tuesday Wednesday Thursday Saturday Mar Will "
    "Mark Bill Bond Chase Grant Sterling Charity Council Service Services Office Court Courts Act Acts Policy "
    "Rule Rules Section Code Codes Guide Guidance Notice Letter Plan Plans Means Money Debt Debts Loan Loans Ltd "
    "Limited Group Trust Union Capital Recovery Collection Collections Finance Financial Agency Company Care Home "
    "Homes Health Support Advice Help Legal Rights Right Fair Fairness Conduct Authority Standard Standards"
    .split()
)
#: Capitalised words that never start or continue a person's name here.
_EN_STOP = frozenset(
    (
        _MONTHS + " " + _DAYS + " I The A An This That These Those It He She We They You Our Your His Her Their My Me "
        "Us Them If When Where What Why How Who Whom Which Whose Can Could May Might Must Shall Should Will Would Do "
        "Does Did Is Are Was Were Be Been Being Has Have Had Please Thanks Thank Yes No Not Ok Okay Hi Hello Hey "
        "Dear Sir Madam And Or But So Then Also Only Just Even Still Yet For From To Of In On At By With Without "
        "Under Over After Before During Since Until About Above Below Between Into Onto Upon Within Per Via Re Fwd "
        "Note Notes Step Steps Today Tomorrow Yesterday Morning Afternoon Evening Night Week Month Year Day Days Time "
        "Borrower Borrowers Customer Customers Debtor Debtors Guarantor Agent Agents Collector Collectors Client "
        "Clients Tenant Landlord Manager Officer Caller Visitor Team Staff Policy Policies Act Acts Section Sections "
        "Rule Rules Regulation Regulations Code Court Courts County Credit Debt Debts Bank Banks Loan Loans Ltd "
        "Limited Inc Plc PLC LLC LLP Co Corp Company Council Tax Universal Benefit Benefits Child Children Street St "
        "Road Rd Avenue Ave Lane Drive Close Way Place Square Gardens Grove Crescent Terrace Park Hill House Flat "
        "Apartment Apt Unit Suite Floor Building Tower Centre Center Station Hospital School College University "
        "Church Office Services Service Authority Agency Department Ministry Commission Bureau Board Committee "
        "Group Trust Union Association Partners Associates Recovery Collections Collection Finance Financial Capital "
        "Solutions Consumer Protection Federal State States United Kingdom Republic National International Global "
        "Christmas Easter Ramadan Eid Diwali Thanksgiving Halloween New Year Years Eve Bank Holiday Holidays Chinese "
        "English British American Welsh Scottish Irish Indian Pakistani Polish Spanish Mexican European Asian "
        "African Breathing Space Visit Visits Field Vulnerable Vulnerability Hardship Data Privacy Complaint "
        "Complaints Ombudsman Financial Conduct FCA CFPB FDCPA CONC FOS FCA's PIPL USC CFR Regulation Reg Part "
        "Chapter Article Schedule Annex Appendix Table Figure Form Case Cases Example Examples Scenario Exercise "
        "Question Answer Summary Overview Purpose Scope Definitions Introduction Background Contact Contacts Email "
        "Phone Tel Mobile Address Postcode Reference Ref Account Number Amount Balance Arrears Payment Payments Plan "
        "Plans Offer Option Options Income Expenses Total Date Dates Status Result Results Yes No None Other Others "
        "Mr Mrs Ms Miss Mx Dr Prof Lady Lord Dame Sir Rev Hon Judge Justice Magistrate Police Bailiff Bailiffs "
        "Enforcement Agent Agents Sheriff Marshal Attorney Lawyer Solicitor Barrister Advice Adviser Advisor Citizens "
        "StepChange Shelter Samaritans Mind Macmillan Age Concern Money Helper MoneyHelper Debt Line National "
        "Debtline PayPlan Northstar Lanting Stockport Manchester Birmingham Glasgow Leeds Liverpool Bristol Cardiff "
        "Edinburgh Belfast Sheffield Newcastle Nottingham Leicester Coventry Bradford Hull Oxford Cambridge York "
        "Brighton Plymouth Southampton Portsmouth Reading Derby Swansea Aberdeen Dundee Luton Milton Keynes Essex "
        "Surrey Sussex Yorkshire Lancashire Cheshire Devon Cornwall Kent Norfolk Suffolk Wales Scotland England "
        "Ireland Northern Britain Great Greater London Texas California Florida Ohio Illinois Pennsylvania Michigan "
        "Arizona Nevada Oregon Washington Georgia Virginia Carolina Tennessee Kentucky Alabama Louisiana Missouri "
        "Minnesota Wisconsin Iowa Kansas Nebraska Oklahoma Colorado Utah Idaho Montana Wyoming Alaska Hawaii Maine "
        "Vermont Massachusetts Connecticut Jersey Maryland Delaware Chicago Houston Phoenix Philadelphia Dallas "
        "Austin Boston Seattle Denver Atlanta Miami Detroit Brooklyn Queens Bronx Manhattan Los Angeles San Francisco "
        "Diego Jose Antonio Las Vegas Beijing Shanghai Shenzhen Guangzhou Chengdu Hangzhou Wuhan Nanjing Tianjin "
        "Chongqing Hong Kong Macau Taiwan China Pudong Haidian Chaoyang Asia Europe America Canada Mexico India "
        "Pakistan Poland Nigeria Ghana Kenya Vietnam Japan Korea Germany France Spain Italy Ukraine Romania Turkey "
        "Monday's Friday's Sunday's Ave Blvd Hwy Ln Dr Ct Pl Sq Mews Walk Rise View Green Circle Trail Parade "
        "Broadway Wharf Quay Yard Vale Meadow Meadows Fields Gate Court Hall Manor Lodge Cottage Farm Estate Village "
        "Town City Borough District Ward Region Province Municipality Zone Area Sector Block Lot Plot OK USA UK US "
        "EU UN NHS HMRC DWP DVLA ID SSN NI NINO IBAN PIN CEO CFO HR IT PR Visa Mastercard Amex PayPal Venmo Zelle "
        "WeChat Alipay QQ WhatsApp Facebook Google Apple Microsoft Amazon Uber Tesco Sainsbury Asda Aldi Lidl "
        "Walmart Target Costco Starbucks McDonald's Christ God Lord Jesus Allah Buddha Bible Koran Quran Sunday "
        "School Mass Church Mosque Temple Court County Magistrates Crown High Supreme District Circuit Appeals "
        "Small Claims Judgment Judgement CCJ Order Orders Warrant Writ Notice Letter Default Final Demand Statement "
        "Statements Direct Debit Standing Transfer Universal Credit Jobseeker's Allowance Pension Pensions Housing "
        "Council Energy Water Gas Electric Electricity Broadband Insurance Mortgage Rent Arrangement Repayment "
        "Agreement Trial Period Interest Charges Charge Fees Fee Penalty Penalties Section Subsection Paragraph "
        "Clause Article Item Principle Principles Consumer Duty Handbook Sourcebook Guide Guidance Standards "
        "Standard Framework Protocol Procedure Procedures Process Review Reviews Audit Checklist Template Script "
        "Scripts Training Trainer Trainee Coach Compliance Reviewer Reviewers Supervisor Supervisors Operations "
        "Operation Quality Assurance Risk Risks Control Controls Escalation Emergency Safety Security Wellbeing "
        "Mental Health Capacity Dementia Cancer Chemotherapy Illness Disability Bereavement Pregnancy Maternity "
        "Unemployment Redundancy Divorce Separation Addiction Gambling Alcohol Care Carer Carers Social Worker "
        "Workers Support Help Helpline Line Free Independent Charity Charities Foundation Institute Centre Network "
        "Partnership Alliance Forum Council Federation Fund Funds Bond Bonds Stock Shares Equity Asset Assets "
        "Vehicle Car Cars Van Home Homes Property Properties Land Deposit Deposits Savings Current Cheque Card Cards "
        "Cash Money Pay Pays Paid Salary Wage Wages Bonus Overtime Shift Shifts Job Jobs Work Employer Employment "
        "Employee Employees Self Employed Business Shop Store Restaurant Hotel Factory Warehouse Site Market "
        "Supermarket Pharmacy Clinic Surgery GP Doctor Doctors Nurse Nurses Dentist Dental Optician Vet Teacher "
        "Teachers Student Students Pupil Pupils Parent Parents Mother Father Mum Dad Mom Son Daughter Brother "
        "Sister Husband Wife Partner Spouse Family Families Friend Friends Neighbour Neighbor Neighbours Neighbors "
        "Colleague Colleagues Boss Relative Relatives Cousin Uncle Aunt Grandmother Grandfather Grandma Grandpa "
        "Baby Babies Kids Kid Boy Boys Girl Girls Man Men Woman Women People Person Everyone Someone Anyone Nobody "
        "Nothing Something Anything Everything All Any Some Many Much More Most Less Least Few Several Each Every "
        "Both Either Neither One Two Three Four Five Six Seven Eight Nine Ten First Second Third Last Next Previous "
        "Here There Now Later Soon Again Always Never Often Sometimes Usually Maybe Perhaps Sorry Excuse Welcome "
        "Good Great Fine Well Right Wrong True False Sure Certainly Absolutely Definitely Really Very Too Quite "
        "Stop Call Calls Visit Leave Come Go Tell Ask Speak Talk Say Said Says Meet Met Write Read Check Confirm "
        "Agree Agreed Refuse Refused Explain Offer Offered Discuss Review Send Sent Make Made Take Took Give Gave "
        "Get Got Let Keep Kept Put Bring Brought Open Closed Start End Begin Finish Continue Remember Record "
        "Recorded Arrange Arranged Schedule Scheduled Log Logged Update Updated Unknown Anonymous Redacted Removed "
        # a note's first word, a verb whose subject is the agent: "Called Leon Fisher twice", "Rang Mrs Hale"
        "Called Rang Phoned Texted Emailed Messaged Visited Spoke Chased Reminded Saw"
    ).split()
)
_EN_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lady|Lord|Mister|Madam|Mme|Mlle|Rev|Revd|Auntie|Aunty|Uncle|Grandma|Grandpa|Nana|Granny)"
_EN_CUES = re.compile(
    r"(?i)(?:\b(?:borrower|customer|debtor|client|guarantor|co-?signer|co-?borrower|tenant|occupant|resident|"
    r"husband|wife|spouse|partner|ex-?husband|ex-?wife|ex-?partner|boyfriend|girlfriend|fianc[eé]e?|son|daughter|"
    r"mother|father|mum|mom|dad|brother|sister|uncle|aunt|auntie|cousin|nephew|niece|grandson|granddaughter|"
    r"grandmother|grandfather|grandma|grandpa|stepson|stepdaughter|stepfather|stepmother|child|neighbou?r|colleague|"
    r"co-?worker|friend|boss|manager|supervisor|landlord|landlady|flatmate|roommate|housemate|lodger|carer|"
    r"caregiver|agent|collector|officer|caseworker|advis[eo]r|named|called|nicknamed|surnamed|name\s+is|name's|"
    r"names\s+are|this\s+is|I'?m|I\s+am|ask\s+for|asked\s+for|speak\s+(?:to|with)|spoke\s+(?:to|with)|talk\s+to|"
    r"talked\s+to|met|meet|visited|visit|contact|contacted|call|called|phoned|emailed|texted|dear|regards|"
    r"sincerely|signed|attn|attention|c/o|care\s+of|for|from|with|and|by|to|tell|told|ask|asked|helped|paid|"
    r"owes|owed|pays|lives\s+with|living\s+with|married\s+to|witness|payee|account\s+holder|cardholder|"
    r"applicant|claimant|defendant|plaintiff|respondent|executor|executrix|beneficiary|representative|"
    r"mr\.?\s+and\s+mrs\.?|call(?:s|ed)?\s+(?:him|her|me|them))(?:'s)?|[A-Z][a-z]+'s\s+(?:husband|wife|partner|son|daughter|mother|father|brother|sister|"
    r"friend|neighbou?r|carer))\s*[:,]?\s*(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?$"
)
#: Cue words weak enough to need a name-shaped word after them (a known name, pinyin or not a common word).
_EN_WEAK_CUES = re.compile(
    r"(?i)\b(?:for|from|with|and|by|to|tell|told|ask|asked|helped|paid|owes|owed|pays|met|meet|visit|visited|"
    r"contact|contacted|call|called|phoned|emailed|texted|this\s+is|I'?m|I\s+am)\s*[:,]?\s*$"
)
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_LOWER = "a-zß-öø-ÿāăąćĉċčďđēėęěğģīįıķĺļľłńņňōőœŕřśşšţťūůűųźżž"
_NAME_WORD = rf"(?:(?:Mc|Mac|O['’]|D['’]|Fitz|De|La|Le|Di|Da)?[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?|[A-Z]\.)"
_PARTICLE = r"(?:van|von|de|da|del|della|der|den|di|du|la|le|bin|ibn|al|el|ter|ten|dos|das|ap|ab|Ó|Ní|Nic|Uí)"
_CAP_RUN = re.compile(rf"(?<![A-Za-z0-9'’{_LOWER}])(?:{_NAME_WORD})(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_NAME_WORD}))*(?![A-Za-z0-9{_LOWER}]|['’](?:t|re|ve|ll|m|d)\b)")
#: Particles that open a surname and are capitalised after a title (Mrs Van der Berg, Mr De Souza, Dr Von Trapp).
_CAP_PARTICLES = frozenset("van von de da del della der den di du la le ter ten dos das".split())
_TITLE_BEFORE = re.compile(rf"(?:(?<=[^A-Za-z])|^){_EN_TITLES}\.?[ \t]+$")
_ORG_TAIL = frozenset(
    "Street St Road Rd Avenue Ave Lane Ln Drive Close Way Court Ct Boulevard Blvd Place Pl Terrace Crescent Gardens "
    "Grove Row Square Sq Parkway Highway Hwy Hill Mews Walk Park Rise View Green Circle Trail Parade Broadway Wharf "
    "Quay Yard Vale Estate Station Hospital School College University Academy Church Chapel Mosque Temple Centre "
    "Center Hall House Building Tower Court Courts Council Authority Agency Bank Banks Building Society Ltd "
    "Limited Inc Plc PLC LLC LLP Co Corp Corporation Company Group Trust Union Partners Associates Recovery "
    "Collections Finance Financial Capital Credit Loans Lending Solutions Services Service Act Policy Code Rules "
    "Regulation Regulations Office Department Ministry Commission Bureau Board Committee Foundation Institute "
    "Association Club Society Network Alliance Fund Airport Stadium Market Mall Hotel Inn Pub Restaurant Cafe "
    "Shop Stores Store Supermarket Pharmacy Clinic Surgery Practice Road's Bridge River Lake Forest Valley "
    "Mountain Island Beach Bay Harbour Harbor County City Town Village Borough District Region State Province "
    "Street's Benefit Allowance Credit Tax Pension Space Scheme Programme Program Plan Line Helpline Distribution "
    "Transport Logistics Parts Auto Motors Print Printing Design Foods Food Bakery Builders Construction Cleaning "
    "Consulting Media Studio Salon Garage Community Energy Utilities Telecom Water Electric Homes Care Retail "
    "Supplies Systems Technologies Tech Labs Industries Manufacturing Wholesale Warehouse Express Airlines"
    .split()
)
_PINYIN_SURNAMES = frozenset(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Han "
    "Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Su Wei Lv Lu Ding Ren Shen Yao Cui "
    "Zhong Tan Fan Jin Shi Liao Jia Xia Fu Fang Bai Zou Meng Xiong Qin Qiu Hou Yin Xue Yan Duan Lei Long Shao Qian "
    "Kong Mao Chang Wan Gu Lai Kang Yi Qiao Niu Xing Qi Ni Zhuang Nie Yue Zhai Yin Ou Geng Guan Lan Jiao Yu Zuo "
    "Liu Gan Zhu Bao Ning Shang Fu Shu Ruan Ke Ji Mei Tong Ling Bi Ji Pei Huo Tu Cheng Miao Sheng Qu Weng Ran "
    "Lan Xin Jin Chai Meng Bao Hua Yu Qi Pu Fang Teng Qu Rao Jie Mou Ai You Yang Shi Mu Nong Si Zhuo Gu Ji Miao "
    "Jian Che Xiang Lian Lu Mai Chu Lou Dou Qi Cen Jing Dang Gong Fei Bu Leng Yan Xi Wei Mi Bo Zong Qu Gui Quan "
    "Tong Ying Zang Min Gou Wu Bian Ji Shi Chou Luan Sui Shang Diao Sha Rong Wu Kou Sang Lang Zhen Cong Zhong Yu "
    "Ao Gong Ming She Chi Cha Ma Yuan Chi Kuang Guan Feng Tan Kuang Ju Hui Jing Le Ji Yu Xu Nan Ban Chu Yuan Li "
    "Yan Chu Yan Lao Chen Xi Pi Su Xian Lin Lou Pan Man Wen Li Yi Tong Ou Gao Kan Hua Quan Shuai Tu Pu Gai Lian "
    "Lian Ouyang Sima Shangguan Zhuge Dongfang Huangfu Situ Xiahou Murong Yuwen Linghu"
    .split()
)
_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|ve|er|a|o|e|i|u|v)"
)
_PINYIN_WORD = re.compile(rf"(?i)(?:{_PINYIN_SYLLABLE}){{1,3}}")


def _pinyin(word: str) -> bool:
    return bool(_PINYIN_WORD.fullmatch(word)) and len(word) >= 2


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3): start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;。！？；：|-*•#>" or start == 0


@cache
def census_surnames() -> frozenset[str]:
    return _load("surnames_en.txt")


#: Words that are never a surname after a given name, whatever the census says.
_NEVER_SURNAME = frozenset((_MONTHS + " " + _DAYS + " I The A An And Or But If So Then This That It He She We They You").split())
#: Given names that are also months, weekdays or places: never a name on their own.
_NEVER_ALONE = frozenset((_MONTHS + " " + _DAYS + " Virginia Georgia Carolina Dakota Florence Victoria Sydney Paris Austin Houston "
                          "Dallas Jackson Lincoln Washington Madison Chelsea Brooklyn Jordan India Asia Africa Kenya China London "
                          "Camden Kent Devon Cornwall Sharon Chester Denver Orlando Phoenix Raleigh Chase Sterling Universal Christmas "
                          "Easter Major General Judge Justice Dean Bishop Long Young King Price Page Lane Court").split())
_NOT_BEFORE_NAME = frozenset("a an the at in on of per by this that these those our your their its his her my from into onto under via".split())


#: After a capitalised run: it names an organisation ("Shah Print & Design Ltd", "Carrington Finance Ltd").
_ORG_AFTER = re.compile(r"^\s*(?:&|and\s+(?:Sons|Co)\b|(?:Ltd|Limited|LLC|Inc|Plc|PLC|LLP|Co|Corp|Group|Holdings)\b)")
#: After a capitalised word: it names a place ("Columbus, Ohio", "Hoboken, NJ 07030", "Leeds LS1 4AP").
_PLACE_AFTER = re.compile(
    r"^,?\s+(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|"
    r"W[AVIY])\s+\d{5}\b|^,\s+(?:Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    r"Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
    r"Mississippi|Missouri|Montana|Nebraska|Nevada|New|North|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode|South|Tennessee|"
    r"Texas|Utah|Vermont|Virginia|Washington|West|Wisconsin|Wyoming|England|Scotland|Wales)\b|"
    r"^,?\s+[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
)


_EN_ACTS = re.compile(
    r"(?:'s\s+(?:husband|wife|partner|son|daughter|mother|father|mum|mom|dad|brother|sister|phone|number|mobile|email|"
    r"address|flat|house|account|card|debt|loan|balance|arrears|landlord|employer|carer|children|kids)\b|"
    r",?\s+(?:says|said|told|tells|asked|asks|called|calls|rang|phoned|emailed|texted|wants|wanted|owes|owed|paid|pays|"
    r"agreed|agrees|refused|refuses|promised|lives|lived|moved|works|worked|answered|answers|denied|disputes|disputed|"
    r"claims|claimed|complained|complains|cried|shouted|threatened|explained|confirmed|admitted|insisted|hung\s+up|"
    r"picked\s+up|opened|is\s+(?:the|a|an|her|his|my|our|their|not|still|now|in|at|on|away|out|ill|sick|pregnant|vulnerable|"
    r"unemployed|disabled|home|deceased|dead|\d+)|was\s+(?:the|a|an|her|his|not|in|at|home|out|away|there)|has\s+(?:a|an|been|no|not|two|three|\d+)|"
    r"can't|cannot|won't|will\s+not|doesn't|didn't|isn't|wasn't)\b)"
)
_EN_CAPS = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?:[ \t]+[A-Z]['’A-Z-]+){1,2}(?![A-Za-z])")
_EN_LOWER_AFTER_CUE = re.compile(
    r"(?i:\b(borrower|customer|debtor|guarantor|tenant|husband|wife|partner|son|daughter|brother|sister|mother|father|"
    r"named|called|mr|mrs|ms|miss|dr)\.?)\s+([a-z]{2,})(?:\s+([a-z]{2,}))?"
)


#: What follows only a person, enough to make a word-name a name on its own (Will answered, Ivy signed).
_EN_PERSON_NEXT = re.compile(
    r"\s+(?:answered|signed|says|said|told|asked|wants|wanted|refused|agreed|promised|owes|owed|rang|phoned|emailed|texted|"
    r"lives|works|moved|paid|pays|disputes|disputed|denied|cried|shouted|insisted|complained|took|opened|"
    # being at home or not ("Jack wasn't in", "Rose is out till six")
    r"(?:wasn't|isn't|was\s+not|is\s+not|was|is)\s+(?:in|home|out|away|around)(?=\W|$)|and\s+(?:his|her|their)\s+"
    r"(?:husband|wife|partner|son|daughter|sister|brother|mother|father|mum|dad|kids|children))\b"
)
#: Typed in lower case after a verb that takes a person ("spoke to john whitaker", "texted faith", "asked rose
#: whether …"): a given name there is a person even when it is also a word; a known surname may follow.
_EN_LOWER_AFTER_VERB = re.compile(
    r"(?i:\b(?:spoke|spoken|talked|chatted|speak|talk)\s+(?:to|with)|\b(?:met|rang|texted|phoned|emailed|messaged|"
    r"asked|told|bumped\s+into|visited|a\s+(?:calling\s+)?card\s+for))\s+([a-z]{2,})(?:\s+([a-z][a-z'’]+))?"
)
#: Typed in lower case after a look-up ("check if priyanka desai has …", "look up tom barker"): a given name that is
#: no everyday word, then a surname the census knows and no word of ours; both are needed.
_EN_LOWER_AFTER_LOOKUP = re.compile(
    r"(?i:\b(?:check(?:ed|ing)?|look(?:ed|ing)?\s+up|search(?:ed|ing)?\s+for|find|found|pull(?:ed)?\s+up)"
    r"(?:\s+(?:if|whether|on|for|that))?)\s+([a-z]{2,})\s+([a-z][a-z'’]+)\b"
)
#: "at dawn's", "to faith's": a given name with a possessive after a preposition is somebody's home.
_EN_LOWER_POSSESSIVE = re.compile(r"(?i:\b(?:at|to|from|outside)\s+)([a-z]{2,})(?=['’]s\b)")


#: Common Vietnamese family names (those that are not also English words: not Do, Le, Ho, Ha, Mai, Lam, Cao, Ly).
_VIETNAMESE_SURNAMES = "Nguyen|Tran|Pham|Hoang|Huynh|Phan|Vu|Vo|Dang|Bui|Ngo|Duong|Truong|Dinh|Trinh|Quach|Luong|Doan|Thai|Trieu"
_EN_ASIAN_NAME = re.compile(
    rf"(?<![\w'’])(?:(?:{_VIETNAMESE_SURNAMES})(?:\s+[A-Z][a-z]{{1,4}}){{1,2}}|[A-Z][a-z]{{1,5}}\s+[A-Z][a-z]{{1,4}}-[a-z]{{2,4}})(?![\w'’-])"
)


#: After a colour-like word, a rating or a flag: the word is a status (Amber flag, Red alert, Jade list), not a person.
_EN_STATUS_AFTER = re.compile(r"(?i)\s+(?:flags?|alerts?|status|rating|risk|warning|light|zone)\b")


def _surname_like(word: str, census: frozenset[str]) -> bool:
    w = word[0].upper() + word[1:]
    if re.match(r"(?i)o['’][a-z]", word):
        w = "O'" + word[2:].capitalize()
    return w in census or w.replace("'", "").replace("’", "").capitalize() in census


def _strong_cue(before: str) -> bool:
    return bool(_EN_CUES.search(before)) and not _EN_WEAK_CUES.search(before)


def english_names(text: str) -> list[Span]:
    """English (and pinyin) person names and titled forms in `text`."""
    given, any_given, family, census = given_names(), all_given_names(), surnames(), census_surnames()
    out: list[Span] = []
    org_heads: set[str] = set()
    for m in _CAP_RUN.finditer(text):
        words = [(w.start() + m.start(), w.end() + m.start(), w.group(0))
                 for w in re.finditer(rf"{_NAME_WORD}|{_PARTICLE}", m.group(0))]
        title = _TITLE_BEFORE.search(text[max(0, m.start() - 20): m.start()])
        titled = title is not None
        start_at = m.start() - len(title.group(0)) if title else m.start()
        # Leading titles and capitalised cue or stop words ("Borrower", "Dear", "Mr") are context.
        while words and (re.fullmatch(_EN_TITLES, words[0][2]) or words[0][2] in _EN_STOP):
            if titled and len(words) > 1 and words[0][2].lower() in _CAP_PARTICLES:
                break  # "Mrs Van der Berg", "Mr De Souza": after a title a capitalised particle opens the surname
            if words[0][2] in any_given and _strong_cue(text[max(0, words[0][0] - 40): words[0][0]]):
                break  # "her husband Will", "a neighbour called May"
            if words[0][2] in any_given and len(words) > 1 and words[1][2] in family:
                break  # "May Thornton", "Will Johnson"
            if words[0][2] in any_given and len(words) == 1 and words[0][2] not in _NEVER_ALONE and _EN_PERSON_NEXT.match(text[words[0][1]:]):
                break  # "Will answered the door": a modal is not followed by a past tense
            w = words.pop(0)
            titled = bool(re.fullmatch(_EN_TITLES, w[2]))
            start_at = w[0]
        if not words:
            continue
        if not titled:
            start_at = words[0][0]
        before = text[max(0, words[0][0] - 40): words[0][0]]
        # Stop at the first word that cannot be part of a name; an organisation or place tail drops the run.
        kept: list[tuple[int, int, str]] = []
        for w in words:
            opens = not kept and w[2] in any_given and (_strong_cue(before) or (len(words) > 1 and words[1][2] in family))
            opens = opens or (titled and not kept and len(words) > 1 and w[2].lower() in _CAP_PARTICLES)
            if w[2] in _EN_STOP and not opens:
                # A surname that is also a word closes a name that a given name opened (Paula Green, Nicole Ward).
                if len(kept) == 1 and kept[0][2] in any_given and w[2] in census and w[2] not in _NEVER_SURNAME:
                    kept.append(w)
                break
            kept.append(w)
        if len(kept) < len(words) and words[len(kept)][2] in _ORG_TAIL:
            org_heads.update(w[2] for w in kept)
            continue
        if len(kept) == len(words) and (_ORG_AFTER.match(text[kept[-1][1]:]) or _PLACE_AFTER.match(text[kept[-1][1]:])):
            org_heads.update(w[2] for w in kept)
            continue
        while kept and re.fullmatch(_PARTICLE, kept[-1][2]):
            kept.pop()
        if not kept or len(kept) > 4:
            continue
        names = [w[2] for w in kept]
        cue = not titled and bool(_EN_CUES.search(before))
        weak_cue = cue and bool(_EN_WEAK_CUES.search(before))
        first, last = names[0], names[-1]
        if titled:
            ok = True
        elif len(names) >= 2:
            if first in any_given and (last not in _EN_STOP or last in census):
                ok = (first in given or last in family or last in any_given or _pinyin(last) or cue
                      or (last in census and first not in _NEVER_ALONE)
                      # a word-name followed by a word and then what people do: "Dawn Hargreaves works nights"
                      or (first not in _NEVER_ALONE and bool(_EN_ACTS.match(text[kept[-1][1]:]))))
            elif last in family and first not in _EN_STOP:
                ok = True
            elif (first in _PINYIN_SURNAMES and _pinyin(last)) or (last in _PINYIN_SURNAMES and _pinyin(first)):
                ok = True
            else:
                # Words no list knows, followed by what people do ("Thandiwe Mokoena says", "… refused entry").
                ok = (cue and not weak_cue) or (len(names) <= 3 and bool(_EN_ACTS.match(text[kept[-1][1]:]))
                                                and not any(n in _AMBIGUOUS_SURNAMES or n in _AMBIGUOUS_GIVEN for n in names))
        elif cue and not weak_cue:
            ok = True
        else:
            initial = _sentence_initial(text, kept[0][0])
            ok = (first in given and (first not in family or not initial)) or (weak_cue and first in family)
            if not ok and first in any_given and first not in _NEVER_ALONE and not initial:
                # An everyday-word name mid-sentence (asking for Grace, tell Bill) is a name, unless a
                # preposition or article makes it a thing (at Chase, the Grant).
                prev = re.search(r"([A-Za-z]+)\W*$", text[max(0, kept[0][0] - 20): kept[0][0]])
                ok = not prev or prev.group(1).lower() not in _NOT_BEFORE_NAME
            if not ok and first in any_given and first not in _NEVER_ALONE and _EN_PERSON_NEXT.match(text[kept[-1][1]:]):
                # A word-name, even first in the sentence, followed by what only a person does: "Will answered
                # the door", "Frank wants it in writing", "Ivy and her sister"; not "Will Tomasz be ok", "Hope this is".
                ok = True

        if ok and len(kept) == 1 and not titled and _EN_STATUS_AFTER.match(text, kept[-1][1]):
            ok = False  # "Amber flag", "Red alert": a rating, not a person
        if ok:
            out.append(Span(start_at, kept[-1][1], "PERSON", 0.85 if titled or cue else 0.7, "en_name"))
    # Typed in lower case after a cue or title ("borrower john smith", "mrs patel"): known names only.
    for m in _EN_LOWER_AFTER_CUE.finditer(text):
        first, second = m.group(2), m.group(3)
        titled = bool(re.fullmatch(r"(?i)mr|mrs|ms|miss|dr", m.group(1)))
        if titled and first.capitalize() in census:
            out.append(Span(m.start(1), m.end(2), "PERSON", 0.75, "en_lower"))
        elif first.capitalize() in given:
            end = m.end(3) if second and second.capitalize() in census else m.end(2)
            out.append(Span(m.start(2), end, "PERSON", 0.7, "en_lower"))
    for m in _EN_LOWER_AFTER_VERB.finditer(text):
        first, second = m.group(1), m.group(2)
        if not first.islower() or first.capitalize() not in any_given or first.capitalize() in _NEVER_ALONE:
            continue
        end = m.end(2) if second and second.islower() and _surname_like(second, census) and second.capitalize() not in _EN_STOP else m.end(1)
        out.append(Span(m.start(1), end, "PERSON", 0.7, "en_lower_verb"))
    for m in _EN_LOWER_AFTER_LOOKUP.finditer(text):
        first, second = m.group(1), m.group(2)
        if not (first.islower() and second.islower()) or first.capitalize() not in given:
            continue
        if first.capitalize() in _AMBIGUOUS_GIVEN or second.capitalize() in _EN_STOP or second.capitalize() in _AMBIGUOUS_SURNAMES:
            continue
        if _surname_like(second, census):
            out.append(Span(m.start(1), m.end(2), "PERSON", 0.65, "en_lower_lookup"))
    for m in _EN_LOWER_POSSESSIVE.finditer(text):
        if m.group(1).islower() and m.group(1).capitalize() in any_given and m.group(1).capitalize() not in _NEVER_ALONE:
            out.append(Span(m.start(1), m.end(1), "PERSON", 0.65, "en_lower_possessive"))
    # Vietnamese names (Nguyen Van Hai, Pham Thu Hang) and Cantonese ones with a hyphenated given name (Ng Ka-wai).
    for m in _EN_ASIAN_NAME.finditer(text):
        if m.group(0).split()[0] in _EN_STOP:
            continue  # "Can Ka-wai come": a sentence's first word is not the surname
        out.append(Span(m.start(), m.end(), "PERSON", 0.7, "en_asian"))
    # IN CAPITALS, as forms are filled: two or three words of which the first is a given name and the last a surname.
    for m in _EN_CAPS.finditer(text):
        words = m.group(0).split()
        if words[0].capitalize() in any_given and words[-1].capitalize() in census and words[-1].capitalize() not in _EN_STOP:
            out.append(Span(m.start(), m.end(), "PERSON", 0.7, "en_caps"))
    # A word seen heading an organisation here ("Carrington Finance") is that organisation when alone.
    return [s for s in out if not (text[s.start: s.end] in org_heads and " " not in text[s.start: s.end])]


def find(text: str) -> list[Span]:
    """Every person-name span in `text` (Chinese and English); Chinese is read with traditional characters
    mapped to simplified ones (`hanzi.simplified`: 陳志明說 is read as 陈志明说, at the same offsets)."""
    return chinese_names(simplified(text)) + english_names(text)

"""Traditional Chinese characters read as their simplified forms, one character for one (offsets keep).

Agents in Hong Kong, Taiwan and Macau, and borrowers' own messages pasted in, are typed in traditional
characters (客戶陳志明說…, 灣仔區軒尼詩道302號). The recognisers' lists, jieba's dictionary and their cue words
are simplified, so the text they read is first mapped character by character: a span found in the mapped text
sits at the same offsets in the original. The table holds the traditional forms of surnames, of characters common
in given names, and of the words around names, numbers and addresses in agents' chat (說, 電話, 區, 號, 還款 …); it
is no converter: a traditional character that is also in everyday simplified use (著, 乾, 於, 瞭, 藉) is left out.
"""

from __future__ import annotations

_PAIRS = """
陳陈 張张 劉刘 黃黄 趙赵 吳吴 孫孙 馬马 鄭郑 謝谢 許许 韓韩 馮冯 鄧邓 葉叶 蘇苏 呂吕 盧卢 鍾钟 譚谭 陸陆 範范 賈贾
韋韦 錢钱 嚴严 龔龚 萬万 顧顾 龍龙 賀贺 湯汤 莊庄 聶聂 魯鲁 歐欧 關关 蘭兰 閻阎 鄒邹 蔣蒋 楊杨 羅罗 蕭萧 鄺邝 駱骆
麥麦 區区 溫温 賴赖 寧宁 甯宁 費费 喬乔 貝贝 項项 簡简 車车 單单 紀纪 齊齐 龐庞 顏颜 塗涂 藍蓝 華华 衛卫 鄔邬 闞阚
樂乐 廣广 鞏巩 聞闻 鮑鲍 闕阙 戴戴 鄔邬 鄢鄢 嶽岳 顓颛 諸诸 歸归 滕滕 薛薛 鄂鄂 閔闵 饒饶 婁娄 竇窦 欒栾 隴陇 瀋沈
國国 偉伟 強强 軍军 麗丽 紅红 輝辉 傑杰 濤涛 鵬鹏 靜静 鳳凤 雲云 剛刚 飛飞 東东 榮荣 慶庆 興兴 貴贵 發发 寶宝 嬌娇
婭娅 潔洁 瑩莹 穎颖 瓊琼 齡龄 鳴鸣 儀仪 倫伦 賢贤 禮礼 義义 維维 曉晓 韻韵 詩诗 鴻鸿 鶴鹤 駿骏 馳驰 騰腾 躍跃 奮奋
進进 蓮莲 雙双 愛爱 綺绮 紹绍 綱纲 繼继 緒绪 緣缘 蕓芸 鈺钰 銘铭 銳锐 鋼钢 銀银 錦锦 繡绣 瑋玮 嶺岭 嶸嵘 賓宾 億亿
暉晖 煒炜 燁烨 煥焕 陽阳 錫锡 鐵铁 鎖锁 懷怀 蘊蕴 靈灵 鵑鹃 鶯莺 頌颂 順顺 風风 驍骁 歡欢 漢汉 澤泽 潤润 濱滨 瀟潇
漣涟 滿满 彥彦 謙谦 譽誉 諾诺 豐丰 貞贞 暢畅 碩硕 祿禄 綠绿 緯纬 聰聪 藝艺 贇赟 達达 遠远 運运 邁迈 鋒锋 鎮镇 長长
閣阁 闊阔 雋隽 韜韬 頤颐 顯显 鷹鹰 黨党 儉俭 凱凯 勝胜 勳勋 協协 圓圆 夢梦 壯壮 學学 將将 專专 巖岩 彌弥 憐怜 戰战
斕斓 時时 書书 楓枫 樹树 橋桥 權权 歲岁 氣气 漁渔 灣湾 燈灯 爾尔 環环 畫画 禎祯 穩稳 競竞 筆笔 築筑 純纯 練练 聯联
聲声 蘋苹 親亲 覺觉 觀观 讓让 輪轮 鄉乡 陣阵 險险 雜杂 霧雾 響响 頂顶 頓顿 願愿 類类 飄飘 鮮鲜 麵面 點点 嬋婵 嫻娴
說说 講讲 話话 電电 號号 戶户 還还 錢钱 這这 個个 們们 來来 會会 沒没 對对 問问 應应 麼么 嗎吗 為为 與与 爲为 從从
後后 過过 還还 時时 現现 見见 開开 門门 間间 關关 買买 賣卖 聽听 讀读 寫写 記记 錄录 證证 號号 碼码 帳账 賬账 貸贷
債债 務务 擔担 保保 聯联 繫系 係系 緊紧 親亲 屬属 據据 證证 業业 單单 據据 額额 歸归 轉转 匯汇 劃划 撥拨 審审 訴诉
訪访 談谈 謝谢 請请 讓让 認认 識识 議议 論论 設设 計计 該该 誰谁 調调 課课 試试 詢询 詳详 診诊 療疗 醫医 院院 護护
處处 辦办 廠厂 廳厅 樓楼 層层 園园 圍围 鄰邻 區区 縣县 鎮镇 鄉乡 街街 灣湾 島岛 龍龙 漢汉 澳澳 臺台 灣湾 邊边 遠远
兒儿 內内 兩两 員员 團团 場场 報报 塊块 壓压 壞坏 夠够 實实 寬宽 導导 尋寻 幫帮 幣币 幹干 庫库 彈弹 復复 態态 慣惯
憑凭 懶懒 掛挂 換换 損损 擊击 擠挤 斷断 暫暂 曆历 歷历 棄弃 極极 標标 樣样 機机 檔档 殺杀 決决 況况 淨净 減减 測测
滅灭 濃浓 災灾 煩烦 熱热 爭争 爺爷 牆墙 狀状 獎奖 獲获 產产 畢毕 異异 盡尽 監监 盤盘 礦矿 稅税 窮穷 簽签 紙纸 終终
絕绝 結结 給给 絡络 統统 經经 網网 線线 編编 總总 續续 職职 腦脑 舊旧 號号 補补 裝装 規规 訂订 詞词 誤误 誠诚 證证
護护 變变 負负 財财 貨货 質质 資资 購购 趕赶 軟软 較较 載载 輕轻 輛辆 農农 週周 遲迟 郵邮 釋释 針针 鐘钟 錯错 閉闭
閒闲 陰阴 隊队 隨随 隱隐 雖虽 難难 離离 頁页 須须 預预 領领 頭头 題题 顧顾 飯饭 飲饮 養养 餘余 館馆 駕驾 騙骗 驗验
體体 鬆松 魚鱼 鳥鸟 齒齿 傳传 傷伤 僅仅 價价 優优 償偿 儲储 們们 倆俩 備备 傭佣 執执 堅坚 壽寿 婦妇 媽妈 嬰婴 孫孙
實实 層层 屬属 峽峡 廠厂 後后 徑径 恆恒 惡恶 惱恼 懇恳 掃扫 採采 揚扬 搖摇 搶抢 據据 擬拟 擴扩 擺摆 攔拦 攜携 敵敌
晉晋 業业 歐欧 氫氢 淚泪 涼凉 湧涌 滬沪 潛潜 濕湿 灑洒 烏乌 煙烟 犧牺 猶犹 璽玺 疊叠 禍祸 禦御 穀谷 窩窝 竊窃 籃篮
籌筹 籠笼 紡纺 紮扎 綁绑 締缔 縮缩 繩绳 罰罚 罷罢 習习 聖圣 肅肃 脅胁 脫脱 膚肤 膽胆 臉脸 艱艰 蓋盖 薦荐 藥药 術术
衝冲 複复 視视 覽览 訂订 誇夸 誕诞 誼谊 諮咨 謀谋 謊谎 譯译 讚赞 豬猪 貓猫 貢贡 貧贫 販贩 貪贪 貫贯 責责 貼贴 賄贿
賠赔 賞赏 賭赌 賦赋 贈赠 贊赞 贏赢 趨趋 跡迹 踐践 蹤踪 軌轨 輔辅 輩辈 輸输 轟轰 辭辞 邊边 遷迁 選选 遺遗 醜丑 鈕钮
銷销 鋪铺 鍋锅 鏈链 鏡镜 鑰钥 閃闪 閱阅 闆板 闖闯 隸隶 雞鸡 頻频 顆颗 颱台 飢饥 飽饱 餅饼 餓饿 騎骑 騷骚 驅驱 驕骄
驚惊 鬧闹 鴨鸭 鵝鹅 鹹咸 鹽盐 黴霉 擋挡 擇择 叢丛 嘆叹 嚇吓 噸吨 墊垫 壇坛 奧奥 妝妆 寵宠 屍尸 崗岗 廟庙 廢废 彎弯
徹彻 恥耻 悅悦 悶闷 慘惨 慮虑 憂忧 憤愤 戲戏 戀恋 掙挣 撲扑 敘叙 暈晕 曬晒 槍枪 櫃柜 殼壳 溝沟 漲涨 潑泼 濫滥 灘滩
燒烧 燙烫 營营 爐炉 獄狱 瑪玛 瓏珑 畝亩 瘋疯 盜盗 礙碍 禱祷 窪洼 節节 簾帘 糾纠 紋纹 納纳 紐纽 紗纱 紳绅 絨绒 綜综
綢绸 縱纵 繞绕 繳缴 纏缠 纖纤 羨羡 聳耸 腫肿 膠胶 艦舰 莖茎 薑姜 虛虚 蝕蚀 蠟蜡 褲裤 襯衬 覓觅 訣诀 詐诈 詠咏 誘诱
諒谅 謹谨 豈岂 貶贬 贓赃 軸轴 輯辑 轄辖 迴回 適适 遜逊 遞递 邏逻 釘钉 鈍钝 鉤钩 銅铜 錘锤 錶表 鍛锻 鏟铲 鑄铸 鑽钻
閘闸 閥阀 閩闽 闡阐 陝陕 韌韧 頸颈 顫颤 飼饲 餡馅 駁驳 駐驻 髒脏 鬍胡 鯉鲤 鴿鸽 鵲鹊 鷗鸥 訊讯 記记 許许 識识 級级
約约 組组 細细 絲丝 紛纷 範范 軍军 陸陆 黃黄 齊齐 龐庞 雙双 靜静 頂顶 順顺 顯显 颶飓 鄭郑 趙赵 賓宾 貝贝 貞贞 賀贺
週周 懇恳 聽听 閩闽 號号 軒轩 詩诗 尼尼 達达 樺桦 楨桢 婉婉 璣玑 瑤瑶 琪琪 嫺娴 綾绫 纓缨 穌稣 瑩莹 珮佩 鑫鑫 釗钊
"""

#: Traditional character -> simplified character, for `str.translate`.
TRADITIONAL = {ord(pair[0]): ord(pair[1]) for pair in _PAIRS.split() if pair[0] != pair[1]}


def simplified(text: str) -> str:
    """`text` with the traditional characters of the table read as simplified ones; same length, same offsets."""
    return text.translate(TRADITIONAL)

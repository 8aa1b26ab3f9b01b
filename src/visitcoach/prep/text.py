"""The visit brief's fixed wording in Chinese and English, and the policy sections each item cites."""

from __future__ import annotations

FVP = "Field Visit Policy"

#: Why a visit may not go ahead: wording and the policy section that says so (rules add their own citations).
REASONS: dict[str, dict[str, str]] = {
    "cease_requested": {
        "en": "The customer asked in writing to stop contact or visits: no visit.",
        "zh": "客户已书面要求停止联系或上门：不得上门。",
        "cite": f"{FVP} §2.3",
    },
    "represented_by_attorney": {
        "en": "The customer has a lawyer or authorised adviser: deal with them, not the customer.",
        "zh": "客户已委托律师或授权顾问：只能与其代理人联系。",
        "cite": f"{FVP} §2.3",
    },
    "dispute_pending": {
        "en": "The debt is disputed: no collection until the dispute is answered.",
        "zh": "债务存在争议：在答复争议前不得催收。",
        "cite": f"{FVP} §2.3",
    },
    "breathing_space": {
        "en": "A Breathing Space moratorium is in force: no recovery contact.",
        "zh": "客户处于债务喘息期（Breathing Space）：不得进行催收联系。",
        "cite": f"{FVP} §2.3",
    },
    "capacity_concern": {
        "en": "The customer may lack mental capacity: recovery is suspended.",
        "zh": "客户可能缺乏相应的行为能力：暂停催收。",
        "cite": f"{FVP} §2.3",
    },
    "vulnerable": {
        "en": "Vulnerability is known or suspected: no visit; follow the Vulnerable Customer Policy.",
        "zh": "已知或怀疑客户处于脆弱状态：不得上门，按《脆弱客户管理办法》处理。",
        "cite": f"{FVP} §2.3",
    },
    "time_barred": {
        "en": "The debt is time-barred: no visit, and never a threat of legal action.",
        "zh": "债务已过诉讼时效：不得上门，也绝不能以诉讼相威胁。",
        "cite": f"{FVP} §2.3",
    },
    "inappropriate_place": {
        "en": "The address is a hospital or another inappropriate place: never visited, with or without consent.",
        "zh": "地址为医院等不适当场所：无论是否同意，均不得前往。",
        "cite": f"{FVP} §4.4",
    },
    "workplace_without_consent": {
        "en": "A workplace visit needs the customer's own express consent for that visit, and there is none.",
        "zh": "到工作单位上门须事先取得客户本人对该次上门的明确同意，目前没有。",
        "cite": f"{FVP} §4.3",
    },
    "employer_prohibits_contact": {
        "en": "The employer prohibits such contact at work.",
        "zh": "客户雇主禁止在工作场所进行此类联系。",
        "cite": f"{FVP} §4.3",
    },
    "customer_declined_home_visits": {
        "en": "The customer asked not to be visited at home; that request is honoured.",
        "zh": "客户要求不要到家中上门，须遵从。",
        "cite": f"{FVP} §3.3",
    },
    "customer_declined_workplace_visits": {
        "en": "The customer asked not to be visited at work; that request is honoured.",
        "zh": "客户要求不要到工作单位上门，须遵从。",
        "cite": f"{FVP} §3.3",
    },
    "no_window": {
        "en": "There is no permitted time in the next 7 days outside the customer's inconvenient times.",
        "zh": "未来 7 天内，除去客户不便的时段后，没有允许上门的时间。",
        "cite": f"{FVP} §4.2",
    },
}

NOTES: dict[str, dict[str, str]] = {
    "employer_prohibits_home_ok": {
        "en": "The employer prohibits contact at work; this visit is to the home address, so it may go ahead.",
        "zh": "雇主禁止在工作场所联系；本次上门地址为住所，可以进行。",
        "cite": f"{FVP} §2.3",
    },
    "legal_action_filed": {
        "en": "A lawsuit has been filed: mention it only accurately, never as a threat or with invented consequences.",
        "zh": "已提起诉讼：只能如实提及，不得用作威胁，也不得编造后果。",
        "cite": f"{FVP} §2.3",
    },
    "consent_to_time": {
        "en": "Consent to a time outside the window covers only the date and time it was given for; the windows below do not assume it.",
        "zh": "客户对窗口外时间的同意只适用于当时约定的日期和时间；下列时段不以此为前提。",
        "cite": f"{FVP} §4.2",
    },
    "unread_time": {
        "en": "Could not read the customer's inconvenient time \u201c{entry}\u201d: check it by hand before choosing a slot.",
        "zh": "无法识别客户不便时间“{entry}”：选择时段前请人工核对。",
        "cite": f"{FVP} §3.3",
    },
    "staffing": {
        "en": "At least two trained collectors, both with photo ID; no more than three; nobody visits alone.",
        "zh": "至少两名经培训的催收人员，均须携带带照片的工作证；不超过三人；任何人不得单独上门。",
        "cite": f"{FVP} §5.1",
    },
    "window": {
        "en": "Permitted local hours: {start}–{end} ({tz}); the whole visit must fall inside them.",
        "zh": "允许的当地时间：{start}–{end}（{tz}）；整个上门过程都必须在此时段内。",
        "cite": f"{FVP} §4.2",
    },
}

WORTH: dict[str, dict[str, str]] = {
    "cost": {
        "en": "Estimated visit cost {cost} ({basis}) is {share} of the arrears {arrears}; the limit is 20%.",
        "zh": "预计上门成本 {cost}（{basis}），占逾期金额 {arrears} 的 {share}；上限为 20%。",
        "cite": f"{FVP} §2.2",
    },
    "cost_unknown": {
        "en": "No past visit costs to estimate from: record the expected cost in the visit request.",
        "zh": "没有历史上门成本可供估算：请在外访申请中填写预计成本。",
        "cite": f"{FVP} §2.2",
    },
    "remote": {
        "en": "Remote channels tried: {attempts} contact(s) over {days} days ({channels}); a visit needs at least 30 days of remote attempts.",
        "zh": "已尝试的远程渠道：{days} 天内共 {attempts} 次联系（{channels}）；上门前须至少经过 30 天远程联系。",
        "cite": f"{FVP} §2.1",
    },
    "recovery": {
        "en": "Expected recovery from a visit over the next 3 months: about {expected} ({p} chance of payment from the promise history × {payment} a month under the best affordable option).",
        "zh": "上门后未来 3 个月的预期回收：约 {expected}（按承诺履约记录估计的还款概率 {p} × 最佳可负担方案每月 {payment}）。",
        "cite": f"{FVP} §2.2",
    },
    "visit": {
        "en": "Recommendation: a visit is justified, if the team leader approves it (form VR-1).",
        "zh": "建议：可以上门，但须经团队负责人审批（VR-1 表）。",
        "cite": f"{FVP} §2.1",
    },
    "remote_first": {
        "en": "Recommendation: keep to remote channels for now ({why}).",
        "zh": "建议：目前继续使用远程渠道（{why}）。",
        "cite": f"{FVP} §2.1",
    },
    "no_visit": {
        "en": "Recommendation: no visit (see the reasons above); use the permitted channel, if any.",
        "zh": "建议：不得上门（原因见上）；如有允许的渠道，改用该渠道。",
        "cite": f"{FVP} §2.3",
    },
}

WHY = {
    "cost": {"en": "the visit would cost more than 20% of the arrears", "zh": "上门成本超过逾期金额的 20%"},
    "remote": {"en": "fewer than 30 days of remote attempts on file", "zh": "远程联系记录不足 30 天"},
}

QUESTIONS = {
    "en": [
        "What is your household's monthly income after tax, including benefits?",
        "What do you spend each month on essentials: housing, energy, food, transport, childcare, medical costs?",
        "What do you pay each month to other lenders, and are any of those in arrears?",
        "Has anything changed recently: work, health, family? Is there anything that makes paying or talking about this harder?",
        "What amount and which date would work for you?",
    ],
    "zh": [
        "您家庭每月税后收入大概是多少（含各类补贴）？",
        "每月必要开支大概多少：房租或房贷、水电燃气、吃饭、交通、孩子、看病？",
        "每月还其他贷款大概多少？有没有逾期的？",
        "最近工作、身体或家里有没有什么变化？有没有什么让您还款或沟通更困难的情况？",
        "什么金额、哪一天还款对您比较合适？",
    ],
}
QUESTIONS_CITE = "Hardship and Repayment Plan Policy §2.1"

#: Likely objections, recognised from words in the case notes, and how to answer them.
OBJECTIONS: list[dict[str, str]] = [
    {
        "match": r"disput|wrong amount|not (?:my|his|her) debt|never (?:took|borrowed)|争议|金额不对|不认|不是我",
        "en": "“The amount is wrong / this isn't my debt.” Stop collecting, offer a statement and the dispute route, and record it.",
        "zh": "“金额不对/这不是我的债。”停止催收，提出提供对账单并说明争议处理途径，并记录。",
        "cite": f"{FVP} §2.3",
    },
    {
        "match": r"lost (?:his|her|their)? ?job|redundan|unemploy|laid off|失业|裁员|没工作|停工",
        "en": "“I've lost my job.” Acknowledge it, redo the income and expenditure check, and offer reduced or token payments with a freeze.",
        "zh": "“我失业了。”先表示理解，重新核算收支，提供降低还款或象征性还款并配合停息。",
        "cite": "Hardship and Repayment Plan Policy §3.3",
    },
    {
        "match": r"\bill\b|illness|hospital|cancer|chemo|surgery|medical|\bsick|病|住院|化疗|手术",
        "en": "“I'm ill / in treatment.” Slow down, ask whether now is a good time, offer to pause and refer to the vulnerability process.",
        "zh": "“我生病/在治疗。”放慢节奏，询问现在是否方便，主动提出暂缓并转入脆弱客户流程。",
        "cite": f"{FVP} §7.3",
    },
    {
        "match": r"can't afford|cannot afford|no money|not enough|struggl|还不起|没钱|不够",
        "en": "“I can't afford it.” Never press: work through the figures together and offer only what the affordability check allows.",
        "zh": "“我还不起。”不要施压：一起核算收支，只提供可负担范围内的方案。",
        "cite": "Hardship and Repayment Plan Policy §2.3",
    },
    {
        "match": r"lawyer|solicitor|attorney|adviser|advisor|StepChange|MoneyHelper|律师|顾问",
        "en": "“Talk to my adviser.” Get the adviser's details and deal with them; do not keep negotiating with the customer.",
        "zh": "“去找我的顾问/律师。”记下代理人信息，改与代理人沟通，不再直接与客户谈。",
        "cite": f"{FVP} §2.3",
    },
    {
        "match": r"embarrass|neighbou?r|colleague|family (?:doesn't|does not) know|丢人|邻居|同事|家人不知道",
        "en": "“My family / neighbours mustn't know.” Speak only to the customer, somewhere private; never mention the debt to anyone else.",
        "zh": "“别让家人/邻居知道。”只与客户本人在私密处沟通，绝不向他人提及债务。",
        "cite": f"{FVP} §8",
    },
    {
        "match": r"broke (?:a |the )?promise|missed (?:the|a) payment|didn't pay|未兑现|没还|爽约",
        "en": "“I'll pay next week” (after broken promises). Agree a smaller amount they are sure of rather than another promise they cannot keep.",
        "zh": "“下周一定还”（此前多次未兑现）。约定一个客户有把握的较小金额，而不是又一个难以兑现的承诺。",
        "cite": "Hardship and Repayment Plan Policy §6",
    },
    {
        "match": r"angry|hostile|shout|aggress|complain|生气|情绪激动|投诉",
        "en": "“Get out / I'm complaining.” Stay calm, leave when asked, and tell them how to complain.",
        "zh": "“出去/我要投诉。”保持冷静，被要求离开时立即离开，并告知投诉渠道。",
        "cite": f"{FVP} §7.2",
    },
]

CHECKLIST: list[dict[str, str]] = [
    {"en": "Re-read the flags and preferences within 24 hours before leaving; cancel if any no-visit flag is set.",
     "zh": "出发前 24 小时内重新核查标记和客户偏好；有任何禁止外访标记即取消。", "cite": f"{FVP} §2.3"},
    {"en": "Two trained collectors with photo ID; roles fixed (lead speaks, second records and keeps time).",
     "zh": "两名经培训的催收人员并携带工作证；分工明确（主谈人发言，副手记录并掌握时间）。", "cite": f"{FVP} §5.1"},
    {"en": "Arrive and leave inside the permitted window; do not wait outside for more than ten minutes.",
     "zh": "在允许时段内到达并离开；无人应门时等候不超过十分钟。", "cite": f"{FVP} §4.1"},
    {"en": "Give your name, staff number, company and the lender, and the purpose, and show ID before discussing the account.",
     "zh": "讨论账户前先说明姓名、工号、公司、委托方和来访目的，并出示工作证。", "cite": f"{FVP} §5.2"},
    {"en": "Confirm you are speaking to the customer before saying anything about the debt.",
     "zh": "确认对方是客户本人后，才能谈及债务。", "cite": f"{FVP} §5.3"},
    {"en": "Ask for consent before recording; stop if it is refused.",
     "zh": "录音前征得同意；对方拒绝即停止录音。", "cite": f"{FVP} §6"},
    {"en": "Do not enter without an invitation; leave at once when asked.",
     "zh": "未经邀请不得进门；对方要求离开时立即离开。", "cite": f"{FVP} §7.2"},
    {"en": "Stop and leave if the customer is distressed or may not understand.",
     "zh": "客户情绪崩溃或可能无法理解时，停止并离开。", "cite": f"{FVP} §7.3"},
    {"en": "Say nothing about the debt to anyone else who opens the door; leave only a discreet card.",
     "zh": "不向应门的其他人透露任何债务信息；只留下不显示催收内容的联系卡。", "cite": f"{FVP} §8"},
    {"en": "Offer only plans within your authority; take anything else back for approval; no cash beyond the agreed receipt process.",
     "zh": "只提供权限范围内的方案，超出权限的带回审批。", "cite": f"{FVP} §10"},
    {"en": "Complete the post-visit record within 24 hours (template below).",
     "zh": "24 小时内完成外访记录（模板见下）。", "cite": f"{FVP} §11"},
]

SECTION_TITLES = {
    "en": {
        "decision": "May we visit, and when?", "worth": "Is a visit worth it?", "situation": "Borrower situation",
        "rules": "Rules that apply", "opening": "Opening script", "negotiation": "Negotiation plan",
        "questions": "What to ask", "objections": "Likely objections", "checklist": "Checklist for the door",
        "record": "Post-visit record template", "sources": "Sources", "go": "GO", "no_go": "NO-GO",
        "windows": "Permitted windows, next 7 days (local time)", "none": "none",
    },
    "zh": {
        "decision": "能否上门？何时？", "worth": "是否值得上门？", "situation": "客户情况",
        "rules": "适用规则", "opening": "开场话术", "negotiation": "协商方案",
        "questions": "需要了解的问题", "objections": "可能的异议", "checklist": "上门检查清单",
        "record": "外访记录模板", "sources": "依据", "go": "可以上门", "no_go": "不得上门",
        "windows": "未来 7 天允许的时段（当地时间）", "none": "无",
    },
}

#: Words in case notes that signal a risk or vulnerability the agent should know about.
SIGNALS: list[tuple[str, dict[str, str]]] = [
    (r"\bill\b|illness|cancer|chemo|hospital|surgery|medical|\bsick|生病|住院|化疗|手术|疾病",
     {"en": "health problems mentioned", "zh": "提到健康问题"}),
    (r"bereave|died|death|funeral|widow|去世|丧|葬礼",
     {"en": "bereavement mentioned", "zh": "提到亲人离世"}),
    (r"mental|depress|anxiety|dementia|capacity|confus|抑郁|焦虑|精神|认知",
     {"en": "mental health or capacity mentioned", "zh": "提到心理健康或认知能力"}),
    (r"lost (?:his|her|their)? ?job|redundan|unemploy|laid off|失业|裁员|停工",
     {"en": "job loss mentioned", "zh": "提到失业"}),
    (r"elderly|\baged \d{2}|pension|lives alone|独居|老人|退休",
     {"en": "age or living alone mentioned", "zh": "提到高龄或独居"}),
    (r"child|kids|pregnan|school|孩子|怀孕|学校",
     {"en": "children or pregnancy mentioned", "zh": "提到子女或怀孕"}),
    (r"angry|hostile|aggress|\bdogs?\b|shout|情绪激动|狗",
     {"en": "safety risk for staff mentioned", "zh": "提到人员安全风险"}),
    (r"complain|ombudsman|regulator|投诉|监管",
     {"en": "complaint history mentioned", "zh": "提到投诉记录"}),
]


#: Words for the case's codes the brief quotes (legal status, contact channels, segments).
CODE_WORDS: dict[str, dict[str, str]] = {
    "none": {"en": "none", "zh": "无"},
    "demand_letter_sent": {"en": "demand letter sent", "zh": "已发催告函"},
    "lawsuit_filed": {"en": "lawsuit filed", "zh": "已起诉"},
    "judgment_obtained": {"en": "judgment obtained", "zh": "已获判决"},
    "time_barred": {"en": "time-barred", "zh": "已过诉讼时效"},
    "phone": {"en": "phone", "zh": "电话"},
    "sms": {"en": "text message", "zh": "短信"},
    "letter": {"en": "letter", "zh": "信函"},
    "email": {"en": "email", "zh": "电子邮件"},
    "app": {"en": "app", "zh": "应用消息"},
    "visit": {"en": "visit", "zh": "上门"},
    "other": {"en": "other", "zh": "其他"},
    "able_willing": {"en": "able and willing", "zh": "有能力、有意愿"},
    "able_low": {"en": "able, low willingness", "zh": "有能力、意愿低"},
    "partial_willing": {"en": "partly able, willing", "zh": "部分能力、有意愿"},
    "partial_low": {"en": "partly able, low willingness", "zh": "部分能力、意愿低"},
    "unable_willing": {"en": "unable, willing", "zh": "无能力、有意愿"},
    "unable_low": {"en": "unable, low willingness", "zh": "无能力、意愿低"},
}


def word(code: str, lang: str) -> str:
    """A case code in words (the code itself when the table does not know it)."""
    return CODE_WORDS.get(code, {}).get(lang, code)


#: Time zones of the shipped jurisdictions, named for a Chinese reader (an English brief keeps the zone id).
ZONE_NAMES_ZH: dict[str, str] = {
    "Asia/Shanghai": "北京时间", "Europe/London": "英国伦敦时间", "America/New_York": "美国东部时间",
    "America/Chicago": "美国中部时间", "America/Denver": "美国山地时间", "America/Los_Angeles": "美国太平洋时间",
    "America/Phoenix": "美国亚利桑那时间",
}


def zone(name: str, lang: str) -> str:
    return ZONE_NAMES_ZH.get(name, name) if lang == "zh" else name

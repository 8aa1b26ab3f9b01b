"""What an agent's turn does, in Chinese and English: the intents the borrower simulator reacts to.

Good conduct (identifying, checking identity, empathy, questions, offers, next steps) is read from
patterns here; misconduct (pressure, threats, insults, third-party talk, refusing to leave) comes
from the compliance checker's findings on the same turn, so the simulator and the live alerts can
never disagree about what was said.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from visitcoach.compliance.checker import Finding

_P = {
    "identify_disclose": r"\bmy name(?:'s| is)\b|\bI(?:'m| am)\s+\S.{0,40}?\bfrom\b|\bthis is \w+(?: \w+)? (?:from|with)\b|"
    r"\bon behalf of\b|\bstaff (?:number|id)\b|\bdebt collector\b|我是.{0,30}(?:公司|机构|的工作人员)|工号|受.{0,20}委托",
    "verify_identity": r"\bam I (?:speaking|talking) (?:to|with)\b|\bare you (?:Mr|Mrs|Ms|Miss|Mx)\.?\b|\bcan you confirm (?:your|you(?:'re| are))\b|"
    r"\bis (?:this|that) (?:Mr|Mrs|Ms|Miss)\b|请问您是|您是.{1,8}本人吗|确认一下您的身份|核实一下身份|请问是.{1,6}(?:先生|女士|本人)吗",
    "empathy": r"\bI (?:do )?understand\b|\bthat (?:sounds|must be) (?:hard|difficult|tough|a lot|stressful)\b|\bI'm (?:so )?sorry\b|"
    r"\btake your time\b|\bno rush\b|\bI appreciate\b|\bthank you for (?:telling|explaining|being)\b|\bthat makes sense\b|"
    r"我理解|能理解|不着急|慢慢说|辛苦了|不容易|抱歉打扰|谢谢您(?:告诉|跟我说|愿意)|明白您的",
    "ask_income": r"\b(?:income|take[- ]home|earn(?:ing)?s?|wages?|salary|paid (?:each|every|a) month|money coming in)\b|收入|工资|每月能拿|进账",
    "ask_expenses": r"\b(?:expenses|outgoings|bills|rent|essentials|spend(?:ing)? (?:each|a|every) month|other (?:debts|loans|payments))\b|"
    r"开销|开支|房租|花销|其他贷款|每月要还",
    "ask_hardship": r"\bwhat happened\b|\b(?:has|did) anything changed\b|\bhow are you (?:coping|managing|doing)\b|\b(?:your )?health\b|"
    r"\blost your job\b|\bcircumstances\b|\bgoing on\b|发生了什么|遇到(?:了)?什么(?:困难|事)|身体(?:怎么样|还好)|最近(?:情况|怎么样)|家里(?:怎么样|有什么)",
    "explain_balance": r"\b(?:balance|you owe|arrears|past[- ]due|outstanding|behind by)\b|欠款|逾期(?:金额)?|余额|还差",
    "offer_plan": r"\bhow about\b|\bwe could\b|\bI can offer\b|\bwould .{0,30}\bwork for you\b|\bpayment (?:plan|arrangement)\b|"
    r"\binstal?lments?\b|\bspread\b|\bfreeze\b|\bsettle(?:ment)?\b|\bextend\b|\bcatch[- ]up plan\b|"
    r"分期|每月还|每个月还|方案|减免|停息|延期|延长",
    "pause_collection": r"\bon hold\b|\bhold (?:the|your) account\b|\bpause\b|\bstop (?:chasing|collection|contact)|\bbreathing space\b|"
    r"暂停催收|暂停追讨|挂起|停止催收|先不催",
    "signpost_advice": r"\bfree (?:and )?(?:impartial )?(?:debt )?advice\b|StepChange|MoneyHelper|Citizens Advice|credit counsel|"
    r"\bcomplain\b|\bhardship team\b|免费.{0,6}咨询|投诉(?:渠道|电话)|困难客户专岗",
    "leave_when_asked": r"\b(?:I|we)(?:'ll| will) (?:go now|get going|be going|head off|be on (?:our|my) way|"
    r"leave (?:now|you (?:in peace|alone|to (?:it|your day|rest))|you be))\b|\b(?:I|we)(?:'ll| will) leave(?: now)?\s*[.!]|"
    r"\bwe(?:'re| are) (?:leaving|going now)\b|\bsorry to (?:disturb|bother) you\b.{0,40}\b(?:go|leave)\b|"
    r"我们这就走|先走了|不打扰了|马上离开|我们走了",
    "close_next_step": r"\b(?:I|we)(?:'ll| will) (?:send|email|write|confirm|put)\b.{0,60}\b(?:writing|letter|email|text)\b|\bnext step\b|"
    r"\bto confirm\b|\bsummar(?:ise|ize|y)\b|\bin writing\b|书面|发给您|确认一下(?:方案|金额|时间)|下一步",
}
_PATTERNS = {name: re.compile(rx, re.IGNORECASE) for name, rx in _P.items()}
#: Checker categories -> the intent the simulator reacts to.
FINDING_INTENTS = {
    "threat_arrest": "threat",
    "violence_intimidation": "threat",
    "unlawful_legal_threat": "threat",
    "impersonation": "threat",
    "abusive_language": "insult",
    "third_party_disclosure": "third_party",
    "entry_refusal_to_leave": "refuse_to_leave",
    "pressure_borrow_sell": "pressure",
    "false_amount_fee_consequence": "pressure",
}
KINDS = {
    "catch_up": r"catch(?:ing)?[- ]up|补(?:上|还)逾期",
    "term_extension": r"\bextend|longer term|延长|延期",
    "reduced_payment": r"\breduc|lower (?:payment|amount)|smaller payment|降低|少还|减少月供",
    "interest_freeze": r"\bfreeze|停息|停止计息",
    "settlement": r"\bsettle|结清|一次性",
    "token_payment": r"\btoken\b|象征性",
}
_AMOUNT = re.compile(r"(?:[$£¥]|USD|GBP|CNY|RMB)\s?(\d[\d,]*(?:\.\d{1,2})?)|(\d[\d,]*(?:\.\d{1,2})?)\s*(?:元|块|美元|英镑|dollars|pounds|a month|per month|每月)", re.IGNORECASE)


def amounts(text: str) -> list[Decimal]:
    out = []
    for m in _AMOUNT.finditer(text):
        raw = (m.group(1) or m.group(2) or "").replace(",", "")
        try:
            out.append(Decimal(raw))
        except InvalidOperation:
            continue
    return out


def plan_kinds(text: str) -> set[str]:
    return {kind for kind, rx in KINDS.items() if re.search(rx, text, re.IGNORECASE)}


def detect(text: str, findings: list[Finding]) -> set[str]:
    """The intents of one agent turn (misconduct from the checker's violations and warnings).

    The learned layer's warnings are shown to the trainee but do not move the simulated borrower: a
    score is not a rule's finding, and a false one would end a good visit (they never fail a script
    on their own either)."""
    found = {name for name, rx in _PATTERNS.items() if rx.search(text)}
    for f in findings:
        if f.layer == "learned":
            continue
        if f.severity in ("violation", "warning") and f.category in FINDING_INTENTS:
            found.add(FINDING_INTENTS[f.category])
    return found

"""Recognisers for borrower identifiers other than names: numbers, addresses, e-mails and chat ids.

Each recogniser is a row of `RECOGNISERS`: a kind (the placeholder's name), a compiled pattern, a
score that ranks it against overlapping matches, and optionally the pattern group that holds the
identifier (for "WeChat: zhangwei88" only the id is masked) and a validator that may refuse or
re-type a match. They are *fail-safe*: a value shaped like an identifier is masked even when its
checksum fails (a mistyped ID-card number is still somebody's ID-card number), and checksums only
decide the kind (`CARD` when Luhn holds, else `ACCOUNT`). What is not masked: amounts ("41,236.50"),
dates ("2026-01-23", "20260123"), times, percentages, statute and section numbers ("15 U.S.C.
1692c", "CONC 7.9.14", "第293条"), case ids ("CN-001") and short numbers.

`find(text)` returns every candidate `Span`; `visitcoach.llm.redact` resolves overlaps and adds
the names (`visitcoach.llm.names`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from visitcoach.llm.hanzi import simplified
from visitcoach.text import CJK


@dataclass(frozen=True)
class Span:
    """A candidate identifier: text[start:end] is a `kind`, found by `source` with `score` (0-1)."""

    start: int
    end: int
    kind: str
    score: float
    source: str


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _digits(text: str) -> list[int]:
    return [unicodedata.digit(c) for c in text if c.isdigit()]


def valid_cn_id(number: str) -> bool:
    """GB 11643 checksum of an 18-character resident ID number."""
    compact = re.sub(r"[\s-]", "", number)
    if len(compact) != 18 or not compact[:17].isdigit():
        return False
    total = sum(d * w for d, w in zip(_digits(compact[:17]), _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == compact[17].upper()


def luhn(number: str) -> bool:
    """The Luhn check of a 13-19 digit card number (separators ignored)."""
    digits = _digits(number)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _plausible_birth(number: str) -> bool:
    """An 18- or 15-character Chinese ID number whose birth date field is a calendar date."""
    d = "".join(str(x) for x in _digits(number))
    if len(d) >= 17:
        year, month, day = int(d[6:10]), int(d[10:12]), int(d[12:14])
        if not 1900 <= year <= 2030:
            return False
    elif len(d) == 15:
        month, day = int(d[8:10]), int(d[10:12])
    else:
        return False
    return 1 <= month <= 12 and 1 <= day <= 31


# A validator returns the kind to use (possibly changed), or None to drop the match.
Validator = Callable[[str, str, int], "str | None"]


def _cn_id(value: str, text: str, start: int) -> str | None:
    return "CN_ID" if _plausible_birth(value) else None


def _card(value: str, text: str, start: int) -> str | None:
    n = len(_digits(value))
    if not 12 <= n <= 19:
        return None
    if _looks_like_id(value):
        return "CN_ID"
    return "CARD" if luhn(value) or _CARD_CUE.search(text, max(0, start - 16), start) else "ACCOUNT"


def _account(value: str, text: str, start: int) -> str | None:
    """A number after an account or card cue: a card when the cue says card or Luhn holds."""
    if _looks_like_id(value):
        return "CN_ID"
    n = len(_digits(value))
    if _CARD_CUE.search(text, max(0, start - 16), start) or (13 <= n <= 19 and luhn(value)):
        return "CARD"
    return "ACCOUNT"


def _looks_like_id(value: str) -> bool:
    compact = re.sub(r"[\s-]", "", value)
    return len(compact) in (15, 18) and _plausible_birth(compact) and compact[:2] in _PROVINCES


def _phone_digits(low: int, high: int) -> Validator:
    def check(value: str, text: str, start: int) -> str | None:
        return "PHONE" if low <= len(_digits(value)) <= high else None

    return check


def _nino(value: str, text: str, start: int) -> str | None:
    prefix = value[:2].upper()
    # Upper case is a NINO anywhere; lower case only where a cue says so.
    if value[:2].isupper() or _NINO_CUE.search(text, max(0, start - 30), start):
        return "NINO" if prefix.isalpha() else None
    return None


def _postcode(value: str, text: str, start: int) -> str | None:
    """Upper case is a postcode anywhere; lower case when a cue says so or its area is a real one (sw1a 1aa)."""
    if value.isupper() or _POSTCODE_CUE.search(text, max(0, start - 20), start):
        return "POSTCODE"
    area = re.match(r"[A-Za-z]+", value)
    return "POSTCODE" if area and area.group(0).upper() in _POSTCODE_AREAS and value.islower() else None


_POSTCODE_AREAS = set(
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G "
    "GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA "
    "PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR "
    "WS WV YO ZE".split()
)


_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "91",
}

_CARD_CUE = re.compile(r"(?i)card|卡号|卡|信用卡|借记卡|储蓄卡")
_NINO_CUE = re.compile(r"(?i)\bN\.?I\.?\b|\bNINO\b|national\s+insurance|国民保险")
_POSTCODE_CUE = re.compile(r"(?i)post\s?code|邮编")

# Separators inside a number: one space, hyphen or dot (or a full-width space) between digit groups.
_SEP = r"[ \-.\u3000]?"
# Not inside a longer number, a decimal, a date or a time; letters may touch ("tel13800138000", "ID110101…").
_NOT_BEFORE = r"(?<![\d+\-])(?<!\d[.,/:])"
_NOT_AFTER = r"(?![\d\-]|[.,/:]\d)"

_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Boulevard|Blvd|Place|Pl|Terrace|Crescent|"
    "Gardens|Grove|Row|Square|Sq|Parkway|Pkwy|Highway|Hwy|Hill|Mews|Walk|Park|Rise|View|Green|Circle|Cir|Trail|"
    "Parade|Broadway|Esplanade|Embankment|Wharf|Quay|Yard|Vale|Meadow|Meadows|Fields|Wynd|Loke|Gate"
)
_BUILDING_TYPES = "House|Court|Building|Tower|Towers|Mansions|Cottages|Cottage|Lodge|Hall|Apartments|Flats|Chambers"
_EN_ADDRESS = (
    # a Glasgow flat may give its door as left, right or middle: "Flat 1/R"
    r"(?:(?:Flat|Apartment|Apt\.?|Unit|Suite|Ste\.?|Room|Floor)\s*\d+[A-Za-z]?\d*(?:/(?:\d+|[LRM](?![A-Za-z])))?,?\s+|(?<![\w/])\d{1,2}/\d{1,2},\s+"
    # an Edinburgh flat: floor and door (3F1 is the first door on the third floor)
    r"|(?<![\w/])\d{1,2}F\d{1,2},\s+"
    r"|(?:Ground|First|Second|Third|Top|Basement|Upper|Lower)\s+(?:Floor\s+)?Flat,\s+)?"
    # a named building before the street: "Flat 5B, Cromwell House, 61 Queen's Road", "3 Rose Cottages, Mill Lane"
    # (the street number may then be left out); otherwise the address starts with its number
    rf"(?:(?:\d{{1,4}}\s+)?(?:[A-Z][A-Za-z'’]+\s+){{1,3}}(?:{_BUILDING_TYPES}),\s+(?:\d{{1,5}}[A-Za-z]?,?\s+)?"
    r"|(?<![\w£$¥€/])(?<!\d[.,])\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?,?\s+)"
    # a saint's street keeps its abbreviation's dot: "14 St. Mary's Close"
    r"(?:(?:N|S|E|W|NE|NW|SE|SW)\.?\s+)?(?:St\.\s+)?(?:(?:[A-Z][A-Za-z'’]+|\d{1,3}(?:st|nd|rd|th))\s+){1,3}"
    rf"(?:{_STREET_TYPES})s?\b\.?"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\b)?"
    # the flat or unit after the street may be a letter: "3419 Lakeshore Dr, Unit B, Tallahassee, FL 32312"
    r"(?:,?\s+(?:Apt\.?|Apartment|Unit|Suite|Ste\.?|Flat|#)\s*(?:\d+[A-Za-z]?|[A-Z](?![A-Za-z])))?"
    # a US address runs on through the city, state and ZIP: "318 Maple Drive, Columbus, OH 43215"
    r"(?:,\s*(?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)?"
)
# A street whose type comes first or stands alone: "9 Llys Derwen", "27 Kingsway", "14 Heol y Felin".
_EN_ADDRESS_PREFIXED = (
    r"(?:(?:Flat|Apartment|Apt\.?|Unit)\s*\d+[A-Za-z]?,?\s+)?(?<![\w£$¥€/])(?<!\d[.,])\d{1,5}[A-Za-z]?,?\s+"
    r"(?:(?:Llys|Heol|Ffordd|Stryd|Lon|Rhodfa)\s+(?:(?:y|yr|[A-Z][a-z'’]+)\s+)?[A-Z][a-z'’]+|Kingsway|Queensway|Broadway)\b"
)
# A named house with no number, then its street, then the town and a UK postcode: "Ty Gwyn, Ffordd y Bryn,
# Llandeilo SA19 6AQ", "Tigh na Mara, Shore Road, Lochcarron IV54 8YB". Only with the postcode after it.
_EN_NAMED_HOUSE = (
    r"(?<![\w])(?:The\s+)?[A-Z][a-z'’]+(?:\s+(?:y|yr|na|nan|an|[A-Z][a-z'’]+)){0,3},\s+"
    rf"(?:(?:Llys|Heol|Ffordd|Stryd|Lon|Rhodfa)\s+(?:(?:y|yr)\s+)?[A-Z][a-z'’]+|(?:[A-Z][a-z'’]+\s+){{1,2}}(?:{_STREET_TYPES}))"
    # then the town ("near Keswick" too) or straight away the postcode: "Ty Newydd, Heol y Llan, SA44 5AB"
    r"(?=,\s*(?:(?:near|nr\.?)\s+)?(?:[A-Z][a-z'’]+\s+){0,2}[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b)"
)
# A named house introduced by "The", then a street with its type and the village or town, no postcode needed:
# "The Old Forge, Church Lane, Little Haddon". "The" and a typed street after a comma say it is a house, not a
# pub's or a firm's name in passing; the town is left out of the span as with `_EN_NAMED_HOUSE`.
_EN_THE_HOUSE = (
    r"(?<![\w])The\s+(?:[A-Z][a-z'’]+\s+){0,2}[A-Z][a-z'’]+,\s+"
    rf"(?:[A-Z][a-z'’]+\s+){{1,2}}(?:{_STREET_TYPES})\b"
    r"(?=,\s*(?:[A-Z][a-z'’]+|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b))"
)
# A number and a close or estate named with "The" ("11 The Paddocks", "4 The Maltings"), before a UK postcode
# (the town may stand between): the postcode says it is an address and not "3 The Ship" in passing.
_EN_NUMBER_THE = (
    r"(?<![\w£$¥€/])(?<!\d[.,])\d{1,4}[A-Za-z]?\s+The\s+(?:[A-Z][a-z'’]+\s+){0,2}[A-Z][a-z'’]+"
    r"(?=,?\s*(?:[A-Z][a-z'’]+\s+){0,2}[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b)"
)
# A flat and a number make an address even when the street has no type: "Apartment 4, 88 Quayside".
_EN_FLAT_NUMBER = r"(?<![\w])(?:Flat|Apartment|Apt\.?)\s*\d+[A-Za-z]?,\s+\d{1,5}[A-Za-z]?\s+[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?\b"
# A flat, unit or suite in a named building or estate, with or without its block: "Unit 4, Riverside Industrial
# Estate", "Apartment 5, The Maltings", "Flat 10, Block C, Kingsway Court". The street after it, if any, is found
# by the street recognisers; the span ends with the building's name.
_EN_UNIT_BUILDING = (
    r"(?<![\w])(?:Flat|Apartment|Apt\.?|Unit|Suite|Ste\.?|Room)\s*\d+[A-Za-z]?,\s+(?:Block\s+[A-Z\d]{1,2},\s+)?"
    r"(?:The\s+(?:[A-Z][a-z'’]+\s+){0,2}[A-Z][a-z'’]+"
    rf"|(?:[A-Z][a-z'’]+\s+){{1,3}}(?:{_BUILDING_TYPES}|Estate|Industrial\s+Estate|Trading\s+Estate|Business\s+Park|"
    r"Retail\s+Park|Centre|Center|Works|Wharf|Heights|Point|Plaza|Quarter|Mill|Yard))\b(?=\s*(?:,|$|\.|\s[a-z]))"
)
# A US box or rural route, through the ZIP: "PO Box 4471, Boise, ID 83704", "RR 2 Box 115, Millbrook, AL 36054",
# "HC 64 Box 2020, Castle Valley, UT 84532". A UK PO box stands alone ("PO Box 123").
_US_CITY_ZIP = r",\s*(?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?"
_EN_BOX = (
    r"(?<![\w.])(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|(?:RR|R\.R\.|Rural\s+Route|HC|PSC|CMR)\s*\d{1,4}\s*,?\s+Box)"
    rf"\s*#?\d{{1,6}}\b(?:{_US_CITY_ZIP})?"
)
# A numbered road, with the house number first (Wisconsin's grid numbers carry a letter: N5432), through the ZIP:
# "2100 County Road 12, Fremont, OH 43420", "N5432 State Highway 13, Medford, WI 54451".
_EN_NUMBERED_ROAD = (
    r"(?<![\w£$¥€/])(?<!\d[.,])[NSEW]?\d{1,6}[A-Za-z]?\s+(?:(?:County|State|US|U\.S\.|Interstate|Farm\s+to\s+Market|Ranch)\s+)?"
    rf"(?:Road|Rd\.?|Highway|Hwy\.?|Route|Rte\.?)\s+\d{{1,4}}[A-Z]?\b(?:{_US_CITY_ZIP})?"
)
# Lower-case street names are rarer but still an address ("42 baker street").
_EN_ADDRESS_LOWER = (
    # not a measure or a count ("90 minutes each way", "3 times a day")
    r"(?:(?<![\w])(?:flat|apartment|apt\.?|unit)\s*\d+[a-z]?,?\s+)?(?<![\w£$¥€])(?<!\d[.,])\d{1,5}[A-Za-z]?,?\s+"
    r"(?!(?:minutes?|mins?|hours?|days?|weeks?|months?|years?|miles?|times?|people|each|of|the|a|an|and|or|more|other)\b)"
    r"(?:(?!(?:each|of|the|a|an|and|or|per)\s)[a-z][a-z'’]+\s+){1,2}"
    r"(?:street|road|avenue|lane|drive|close|crescent|terrace|gardens|grove|boulevard|place|way|court|row|mews|parade)\b"
    # … or a US street type abbreviated, which needs the flat or the city, state and ZIP after it ("77 bay st apt 2,
    # san francisco, ca 94133"): "3 times a st" is no address
    r"|(?:(?<![\w])(?:flat|apartment|apt\.?|unit)\s*\d+[a-z]?,?\s+)?(?<![\w£$¥€])(?<!\d[.,])\d{1,5}[a-z]?\s+"
    r"(?:[a-z][a-z'’]+\s+){1,2}(?:st|rd|ave|blvd|dr|ln|ct|pl)\.?"
    # … or nothing but the end of a clause after it: a number, a name and a street type make an address already
    r"(?=(?:,?\s+(?:apt\.?|apartment|unit|suite|ste\.?|#)\s*\d+[a-z]?)|,\s*(?:[a-z]+\s){0,2}[a-z]+,?\s+[a-z]{2}\s+\d{5}\b"
    r"|\.?\s*(?:[,;:!?)（）。，；！？]|$|\n|\s(?:and|but|then|so|is|was|has|where|which|near|next)\b))"
    r"(?:,?\s+(?:apt\.?|apartment|unit|suite|ste\.?|#)\s*\d+[a-z]?)?"
    r"(?:,\s*(?:[a-z]+\s){0,2}[a-z]+,?\s+[a-z]{2}\s+\d{5}(?:-\d{4})?)?"
)

_ZH_NUM = r"[\d零〇一二三四五六七八九十百两]"
_ZH_REGION = rf"(?:[{CJK}]{{2,7}}?(?:省|自治区|特别行政区|市|区|县|旗|镇|乡|街道)\s?)"
# A road may be a Beijing 条 (东四十条), and a direction may follow its name before the number (农业路东16号,
# 深南大道中128号); the number may carry 甲/乙 (东四十条甲22号).
_ZH_ROAD = (
    rf"(?:[{CJK}A-Za-z\d]{{1,10}}?(?:路|街|大街|大道|巷|弄|胡同|道|里|村|屯|组|社区|条))"
    rf"(?:[东西南北中]{{0,2}}{_ZH_NUM}{{1,3}}段|[东西南北中]{{1,2}}段|[东西南北中](?=[甲乙丙丁]?{_ZH_NUM}{{1,5}}\s?(?:号|號|弄)))?"
)
# After the street number: building, unit and room in any of their usual shapes, ending on a number or a
# unit word ("华星时代广场A座1203", "5栋2单元301室", "12号601"); never across a particle or a comma.
_ZH_PLAIN = r"(?![的了在是有和与不也都就要会去到说我你他她它们这那个吗呢吧，。；、：！？（）])"
_ZH_TAIL = rf"(?:\s?(?:{_ZH_PLAIN}[{CJK}A-Za-z\d\-\s]){{0,18}}(?:(?<=[\d室户座栋幢元层楼号房])|(?<=\d[A-Za-z])))?"
# The street number is a 号 (弄 in Shanghai), or straight away a block (固戍二路一巷8栋501); 38号之一 is one number.
_ZH_NUMBERED = rf"(?:(?:负?{_ZH_NUM}{{1,2}}楼|[Bb]\d)?\s?[甲乙丙丁]?{_ZH_NUM}{{1,5}}\s?(?:号|號|弄|栋|幢|座)(?:院|之[一二三四五六七八九十\d])?(?:门面|商铺|铺位|档口)?){_ZH_TAIL}"
_ZH_BUILDING = (
    rf"(?:[{CJK}A-Za-z]{{2,12}}?(?:小区|花园|公寓|大厦|家园|苑|新村|新城|广场|中心|大楼|公馆|山庄|庄园|府|园|城)"
    # an estate whose name ends in no estate word is told by its phase and block (龙湖春森彼岸2期9栋18-3)
    rf"|[{CJK}A-Za-z]{{2,8}}?(?={_ZH_NUM}{{1,2}}期\s?{_ZH_NUM}{{1,4}}\s?(?:号楼|栋|幢|座)))"
    # an estate may have parts before the block (龙锦苑东五区8号楼, 望京西园四区411楼), and a block-unit-room
    # may be written with dashes (吉祥花园12-3-401)
    rf"(?:[东西南北中]?{_ZH_NUM}{{1,3}}(?:区|期)|[A-Za-z]区|[A-Za-z](?=\s?(?:栋|幢|座)))?"
    # … or a lettered block (华港花园B座1805)
    rf"(?:\s?{_ZH_NUM}{{1,4}}\s?(?:号楼|号|栋|幢|座|期|区|楼)|(?<![A-Za-z])[A-Za-z]\s?(?:栋|幢|座)(?=\s?\d)|\d{{1,4}}(?:-\d{{1,4}}){{1,2}}(?![\d-])){_ZH_TAIL}"
)
# A rural address ends on the village's group (湘潭县花石镇联盟村七组): only after a county, town or district.
_ZH_VILLAGE = rf"(?:[{CJK}]{{1,6}}?(?:村|屯|社区)){_ZH_NUM}{{1,3}}(?:组|队|社)(?:{_ZH_NUM}{{1,4}}号)?"
_ZH_UNIT_ONLY = rf"(?:{_ZH_NUM}{{1,4}}(?:号楼|栋|幢|座)){_ZH_NUM}{{1,3}}(?:单元)?(?:{_ZH_NUM}{{1,5}}(?:室|号|户))"

_WECHAT_CUE = r"(?:微信号?|微信\s*ID|微信账号|威信|薇信|V信|v信|vx|VX|Vx|wx|WX|WeChat(?:\s*ID)?|Wechat(?:\s*ID)?|wechat(?:\s*id)?|weixin|Weixin)"
_QQ_CUE = r"(?:QQ|qq|Qq|扣扣)"
_JOIN = r"(?:\s*[,，]\s*(?=id\b|ID\b))?\s*(?:号码|号|ID|id|账号|帐号|number|no\.?|num|是|为|:|-|#)?\s*(?:是|为|:|is)?\s*"


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    # ASCII: `\w` and `\d` mean Latin letters and digits, so "电话13800138000可以" still has word
    # boundaries around the number; full-width digits are mapped to ASCII first (`FULLWIDTH`).
    return re.compile(pattern, flags | re.ASCII)


#: Full-width digits, letters and the signs numbers use (＋ － ＠ （ ） ：), and the ideographic space,
#: mapped one character to one (offsets keep). Not the full-width comma or stop: "798，138…" is two numbers.
FULLWIDTH = (
    {0xFF10 + i: 0x30 + i for i in range(10)}
    | {0xFF21 + i: 0x41 + i for i in range(26)}
    | {0xFF41 + i: 0x61 + i for i in range(26)}
    | {0xFF0B: 0x2B, 0xFF0D: 0x2D, 0xFF20: 0x40, 0xFF08: 0x28, 0xFF09: 0x29, 0xFF1A: 0x3A, 0x3000: 0x20}
)


@dataclass(frozen=True)
class Recogniser:
    name: str
    kind: str
    pattern: re.Pattern[str]
    score: float
    group: int = 0
    validator: Validator | None = None
    #: A cheap search that must succeed before the pattern runs (most messages hold no address or e-mail).
    gate: re.Pattern[str] | None = None
    #: Runs on text without a digit too (every other recogniser but e-mail and WeChat needs one to find anything).
    digitless: bool = False


RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser("email", "EMAIL", _compile(r"[A-Za-z0-9._%+\-]+\s?@\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![A-Za-z])"), 0.95,
               gate=_compile("@")),
    # Written out to dodge filters: "jo (at) example (dot) com", "jo at example dot com", "jo at example.com".
    Recogniser(
        "email_spelled", "EMAIL",
        _compile(r"(?i)[A-Za-z0-9._%+\-]+\s*(?:\(at\)|\[at\]|\{at\}|\sat\s)\s*[A-Za-z0-9\-]+"
                 r"(?:(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|\sdot\s)\s*[A-Za-z0-9\-]+)+|(?:\.[A-Za-z0-9\-]+)*\.(?:com|net|org|edu|gov|co|uk|cn|io|me|info|biz)\b)"),
        0.85, gate=_compile(r"(?i)(?:\(at\)|\[at\]|\{at\}|\sat\s)\s*[a-z0-9\-]+\s*(?:\(dot\)|\[dot\]|\{dot\}|\sdot\s|\.[a-z]{2,})"),
    ),
    # 18-character resident ID (birth date plausible; checksum not required), spaced 6-8-4 too; and the old 15-digit one.
    Recogniser("cn_id18", "CN_ID", _compile(rf"{_NOT_BEFORE}\d{{6}}[ \-]?(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ \-]?\d{{3}}[\dXx](?![\dA-Za-z\-])"), 0.9, validator=_cn_id),
    Recogniser("cn_id15", "CN_ID", _compile(rf"{_NOT_BEFORE}\d{{6}}\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}{_NOT_AFTER}"), 0.7, validator=_cn_id),
    # IBAN (GB29 NWBK 6016 1331 9268 19) and a sort code with its account number.
    Recogniser("iban", "ACCOUNT", _compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}[ ]?[A-Z0-9]{4}(?:[ ]?[A-Z0-9]{4}){2,6}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"), 0.85),
    Recogniser("sort_code", "ACCOUNT", _compile(r"(?i)sort[\s-]?code\s*(?:is|:)?\s*(\d{2}[\s-]?\d{2}[\s-]?\d{2})(?!\d)"), 0.85, group=1),
    Recogniser(
        "account_cue", "ACCOUNT",
        _compile(r"(?i)(?:account|acct|acc|a/c|账号|帐号|账户|帐户|户号|卡号|银行卡号?|card)(?:\s*(?:number|no\.?|num|#|ending(?: in)?|号码|号))?\s*(?:is|：|:|是|为)?\s*"
                 r"(\d(?:[ \-]?\d){5,22})(?![\d\-])"),
        0.8, group=1, validator=lambda v, t, s: _account(v, t, s),
    ),
    # US SSN in its usual shapes (no area-number rules: a mistyped one is still an SSN), and after its cue.
    Recogniser("ssn", "SSN", _compile(r"(?<![\w\-.])\d{3}[\-‐–]\d{2}[\-‐–]\d{4}(?![\w\-]|\.\d)"), 0.9),
    Recogniser("ssn_cue", "SSN", _compile(r"(?i)(?:SSN|social\s+security(?:\s+(?:number|no\.?))?|社会安全号码?|社保号)\s*(?:is|#|:|：|是)?\s*(\d{3}[ \-]?\d{2}[ \-]?\d{4})(?!\d)"), 0.9, group=1),
    # … and a few words after it ("her SSN on the old file is 614279083"): nine digits within a short clause.
    Recogniser("ssn_cue_later", "SSN", _compile(r"(?i)(?:\bSSN|social\s+security(?:\s+(?:number|no\.?))?)\b[^\d.;!?\n]{1,30}?\b(?:is|was|:|reads)\s*(\d{3}[ \-]?\d{2}[ \-]?\d{4})(?![\d\-])"), 0.85, group=1),
    # UK National Insurance number: two letters, six digits, a suffix letter (spaced or not).
    Recogniser("nino", "NINO", _compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?[A-Da-d](?![A-Za-z0-9])"), 0.85, validator=_nino),
    Recogniser("nino_cue", "NINO", _compile(r"(?i)(?:national\s+insurance(?:\s+(?:number|no\.?))?|\bNI(?:\s+(?:number|no\.?))|\bNINO)\s*(?:is|:)?\s*([A-Za-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Za-z]?)(?![A-Za-z0-9])"), 0.9, group=1),
    # UK postcode (upper case anywhere; lower case after "postcode").
    Recogniser("postcode", "POSTCODE", _compile(r"(?i)(?<![A-Za-z0-9])(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2})(?![A-Za-z0-9])"), 0.8, validator=_postcode),
    # Phones. CN mobile (+86 / 0086 optional), grouped 3-4-4 or 3-3-5 or not at all.
    Recogniser("cn_mobile", "PHONE", _compile(r"(?<![\d+])(?:(?:\+|00)\s?86[\s\-]?|\(\+?86\)\s?)?1[3-9]\d(?:[\s\-]?\d){8}(?!\d)"), 0.85, validator=_phone_digits(11, 15)),
    # CN landline: (010) 8888 6666, 010-12345678, 0755 8888 6666, +86 10 8888 6666.
    Recogniser("cn_landline", "PHONE", _compile(r"(?<![\w+])(?:(?:\+|00)86[\s\-]?0?\d{2,3}|\(0\d{2,3}\)|0\d{2,3})[\s\-]?\d{3,4}[\s\-]?\d{4}(?:\s?(?:转|ext\.?|x)\s?\d{1,5})?(?!\w)"), 0.8, validator=_phone_digits(10, 17)),
    # UK: +44 (0)20 7946 0958, 020 7946 0958, 07700 900123, 0161 496 0000, 01632 960123.
    Recogniser("uk_phone", "PHONE", _compile(r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|0)\d{2,4}[\s\-]?\d{3,4}[\s\-]?\d{3,4}(?!\w)"), 0.8, validator=_phone_digits(10, 13)),
    # US / NANP: (212) 555-0187, 212-555-0187, 212.555.0187, +1 212 555 0187, 1-800-555-0199.
    Recogniser("us_phone", "PHONE", _compile(r"(?<![\w+\-])(?<!\d[.,])(?:\+?1[\s\-.]?)?(?:\(\d{3}\)\s?|\d{3}[\s\-.])\d{3}[\s\-.]\d{4}(?![\w\-]|\.\d)|(?<![\w+\-])\+1\d{10}(?!\w)"), 0.8),
    Recogniser("us_phone_run", "PHONE", _compile(r"(?<![\w+\-])(?<!\d[.,])[2-9]\d{2}[2-9]\d{6}(?![\w\-]|[.,]\d)"), 0.6),
    # Any international number: +CC then 7-14 digits in groups.
    Recogniser("intl_phone", "PHONE", _compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[\s\-.]?\(?\d{1,4}\)?){2,6}(?!\w)"), 0.7, validator=_phone_digits(8, 15)),
    # A local number after a phone cue: "call 555-0187", "电话 8888 6666".
    Recogniser(
        "phone_cue", "PHONE",
        _compile(r"(?i)(?:phone|tel\.?|telephone|mobile|cell|call|ring|text|whatsapp|电话|手机|手机号码?|座机|联系方式|致电|打)\s*(?:number|no\.?|号码|号)?\s*(?:is|:|：|是|为|on|at)?\s*"
                 r"(\+?\d(?:[\s\-.()]{0,2}\d){6,14})(?!\d)"),
        0.75, group=1, validator=_phone_digits(7, 15),
    ),
    Recogniser("us_local", "PHONE", _compile(r"(?<![\w\-.])555[\-.]\d{4}(?![\w\-])"), 0.7),
    # WeChat and QQ ids after their cue words.
    Recogniser("wechat", "WECHAT", _compile(rf"{_WECHAT_CUE}{_JOIN}([A-Za-z][A-Za-z0-9_\-]{{5,19}})(?![A-Za-z0-9_\-])"), 0.8, group=1, validator=lambda v, t, s: "WECHAT" if _wechat_ok(v) else None),
    Recogniser("qq", "QQ", _compile(rf"{_QQ_CUE}{_JOIN}([1-9]\d{{4,11}})(?!\d)"), 0.85, group=1),
    # Street addresses.
    Recogniser("en_address", "ADDRESS", _compile(_EN_ADDRESS), 0.8, gate=_compile(rf"\b(?:{_STREET_TYPES})s?\b")),
    Recogniser("en_address_prefixed", "ADDRESS", _compile(_EN_ADDRESS_PREFIXED), 0.7,
               gate=_compile(r"\b(?:Llys|Heol|Ffordd|Stryd|Lon|Rhodfa|Kingsway|Queensway|Broadway)\b")),
    Recogniser("en_named_house", "ADDRESS", _compile(_EN_NAMED_HOUSE), 0.75, gate=_compile(r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}")),
    Recogniser("en_number_the", "ADDRESS", _compile(_EN_NUMBER_THE), 0.7, gate=_compile(r"\d\s+The [A-Z]")),
    Recogniser("en_the_house", "ADDRESS", _compile(_EN_THE_HOUSE), 0.7, gate=_compile(r"\bThe [A-Z]"), digitless=True),
    Recogniser("en_flat_number", "ADDRESS", _compile(_EN_FLAT_NUMBER), 0.7, gate=_compile(r"Flat|Apartment|Apt")),
    Recogniser("en_address_lower", "ADDRESS", _compile(_EN_ADDRESS_LOWER), 0.6,
               gate=_compile(r"street|road|avenue|lane|drive|close|crescent|terrace|gardens|grove|boulevard|place|way|court|row|mews|parade|"
                             r"\d\s+(?:[a-z]+\s+){1,2}(?:st|rd|ave|blvd|dr|ln|ct|pl)\b")),
    Recogniser("en_unit_building", "ADDRESS", _compile(_EN_UNIT_BUILDING), 0.7, gate=_compile(r"Flat|Apartment|Apt|Unit|Suite|Ste|Room")),
    Recogniser("en_box", "ADDRESS", _compile(_EN_BOX), 0.75, gate=_compile(r"Box")),
    Recogniser("en_numbered_road", "ADDRESS", _compile(_EN_NUMBERED_ROAD), 0.75, gate=_compile(r"\b(?:Road|Rd|Highway|Hwy|Route|Rte)\.?\s+\d")),
    Recogniser("zh_address", "ADDRESS", _compile(rf"{_ZH_REGION}*(?:{_ZH_ROAD}{_ZH_NUMBERED}|{_ZH_BUILDING})|{_ZH_REGION}+{_ZH_VILLAGE}"), 0.8,
               validator=lambda v, t, s: "ADDRESS" if _zh_address_ok(v) else None,
               gate=_compile(rf"{_ZH_NUM}\s?(?:号|號|弄|栋|幢|座|期|组|队|楼)|\d-\d|[A-Za-z]\s?(?:栋|幢|座)\s?\d")),
    Recogniser("zh_unit", "ADDRESS", _compile(_ZH_UNIT_ONLY), 0.6, gate=_compile("号楼|栋|幢|座")),
)

# WeChat words that follow the cue but are not ids ("WeChat message", "微信 please").
_WECHAT_WORDS = {"message", "messages", "account", "number", "payment", "pay", "group", "chat", "call", "voice", "video", "moments", "contact", "please", "instead", "today", "before", "yesterday"}


def _wechat_ok(value: str) -> bool:
    return value.lower() not in _WECHAT_WORDS


_ADDRESS_LEAD = re.compile(r"^(?:.*?(?:住在|住于|居住在|家住|位于|地址是|地址为|地址：|地址:|住址|址|住址是|住址为|住址：|住址:|搬到了|搬到|搬去|搬至|在|于|到|去|是|为|住))")


def _zh_address_ok(value: str) -> bool:
    # a statute's article is no road (第十三条2号 is not 条 + number)
    return bool(re.search(r"[\d零〇一二三四五六七八九十百两]", value)) and not re.search(r"第[\d零〇一二三四五六七八九十百千两]+条", value)


def _trim_zh_address(text: str, start: int, end: int) -> int:
    """Move the start of a Chinese address past a leading verb or preposition ("他住在…", "位于…"), as many
    times as one leads what is left ("他在广州住荔湾区…": past 在, then past 广州住)."""
    while True:
        value = text[start:end]
        lead = _ADDRESS_LEAD.match(value)
        if not lead or lead.end() >= len(value) - 3:
            return start
        start += lead.end()


# A run of digit groups ("4111 1111 1111 1111", "6222020200112233446", two cards side by side).
_DIGIT_RUN = _compile(rf"{_NOT_BEFORE}\d+(?:[ \-]\d+)*{_NOT_AFTER}")
_GROUP = _compile(r"\d+")


#: A reference code: a contract, order or reference cue, then capital letters glued to the number (合同编号
#: HT2026031500187, order ref INV2026…). Only with the cue: letters alone before digits may be anything (SW1A 1AA…).
_CODE_PREFIX = _compile(
    r"(?i:合同编号|合同号|编号|单号|订单号?|流水号|ref(?:erence)?|invoice|contract|order)(?:\s*(?:no\.?|number|#))?\s*[:：]?\s*"
    r"(?<![A-Za-z0-9])(?!(?:ID|NO|TEL|AC|ACC|ACCT|CARD|QQ|VX|WX)\Z)[A-Z]{1,5}\Z"
)


def _digit_run_spans(probe: str) -> list[Span]:
    """Card and account numbers: windows of 12-19 digits made of whole consecutive groups of a digit run
    (a Luhn-valid window first, then the longest), so two numbers typed side by side are both found."""
    out = []
    for run in _DIGIT_RUN.finditer(probe):
        if _CODE_PREFIX.search(probe, max(0, run.start() - 24), run.start()):
            continue  # a document's own reference (合同编号HT2026031500187, ref INV20260315…), not a card or account
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run.group(0))]
        if sum(e - s for s, e in groups) < 12:
            continue
        if any(e - s > 19 for s, e in groups):
            # A run of more than 19 digits is no known number, but it may hold one: all of it goes.
            out.append(Span(run.start(), run.end(), "ACCOUNT", 0.6, "long_digits"))
            continue
        i = 0
        while i < len(groups):
            best: tuple[int, bool] | None = None
            digits = 0
            for j in range(i, len(groups)):
                digits += groups[j][1] - groups[j][0]
                if digits > 19:
                    break
                if digits >= 12:
                    valid = luhn(probe[groups[i][0]: groups[j][1]])
                    if best is None or valid >= best[1]:
                        best = (j, valid)
            if best is None:
                i += 1
                continue
            a, b = groups[i][0], groups[best[0]][1]
            kind = _card(probe[a:b], probe, a)
            if kind:
                out.append(Span(a, b, kind, 0.75, "digit_run"))
            i = best[0] + 1
    return out


_ANY_DIGIT = _compile(r"[\d零〇一二三四五六七八九十百两]")


def matches(r: Recogniser, probe: str) -> list[Span]:
    """The spans one recogniser finds in `probe` (text already passed through `FULLWIDTH`)."""
    out: list[Span] = []
    if r.gate is not None and not r.gate.search(probe):
        return out
    for m in r.pattern.finditer(probe):
        start, end = m.span(r.group)
        if start == end:
            continue
        kind: str | None = r.kind
        if r.validator is not None:
            kind = r.validator(m.group(r.group), probe, start)
            if kind is None:
                continue
        if r.name == "zh_address":
            start = _trim_zh_address(probe, start, end)
        # Trailing separators are never part of the value.
        while end > start and probe[end - 1] in " -.,":
            end -= 1
        out.append(Span(start, end, kind, r.score, r.name))
    return out


def find(text: str) -> list[Span]:
    """Every candidate identifier span (overlapping candidates included)."""
    probe = simplified(text.translate(FULLWIDTH))  # one character for one: offsets keep
    digits = _ANY_DIGIT.search(probe) is not None
    out: list[Span] = []
    for r in RECOGNISERS:
        if digits or r.digitless or r.kind in ("EMAIL", "WECHAT"):
            out += matches(r, probe)
    return out + (_digit_run_spans(probe) if digits else [])

"""The answer engine's steps: question understanding, the concept vocabulary, computed answers,
follow-ups, bad questions, and the pack's quantity consistency check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from visitcoach.ask import QuestionError, validate_question
from visitcoach.corpus.concepts import load_vocabulary, quantities, quantity_conflicts
from visitcoach.errors import KnowledgeError
from visitcoach.qa.compute import Fact, compute
from visitcoach.qa.conversation import is_follow_up, resolve
from visitcoach.qa.understand import (
    asked_kinds,
    mentioned_figures,
    mentioned_place,
    mentioned_time,
    stated_kinds,
    understand,
)

from .conftest import SHIPPED, make_settings

VOCAB = load_vocabulary(SHIPPED)


def the_fact(question: str, kind: str) -> Fact:
    """The one computed fact of `kind` for `question` over the shipped pack (fails if not exactly one)."""
    [fact] = [f for f in compute(understand(question, VOCAB), make_settings(Path("/tmp/unused"), SHIPPED)) if f.kind == kind]
    return fact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can we go at 21:30?", dt.time(21, 30)),
        ("is 9.30pm ok", dt.time(21, 30)),
        ("what about 9 pm", dt.time(21, 0)),
        ("7:30 am visit", dt.time(7, 30)),
        ("晚上九点半可以去吗", dt.time(21, 30)),
        ("早上7点去他家", dt.time(7, 0)),
        ("晚上10点以后", dt.time(22, 0)),
        ("下午三点", dt.time(15, 0)),
        ("When may I visit?", None),
        # of several times, the visit's: the one next to a word for making the visit, else the last
        ("he works nights and sleeps till about 2pm. our window opens 8am so is a 9am knock fine?", dt.time(9, 0)),
        ("他书面同意晚上十点后在小区门口见，那我们23:45过去行不行", dt.time(23, 45)),
        ("she gets home at 6pm, what about 8pm?", dt.time(20, 0)),
        ("we could knock at 7.30pm, she finishes work at 5pm", dt.time(19, 30)),
    ],
)
def test_times_in_questions(text, expected):
    assert mentioned_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can I go to his office?", "workplace"),
        ("那如果是在他单位呢？", "workplace"),
        ("he is in hospital", "hospital"),
        ("去他家里找他", "home"),
        ("how many of us go?", None),
    ],
)
def test_places_in_questions(text, expected):
    assert mentioned_place(text) == expected


def test_figures_in_questions():
    assert mentioned_figures("she earns £1,800 and spends 1500 a month") == {"income": Decimal("1800"), "expenses": Decimal("1500")}
    assert mentioned_figures("月收入5000，支出3500") == {"income": Decimal("5000"), "expenses": Decimal("3500")}


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("When may I visit a borrower in the UK?", "UK"),
        ("under FCA rules can I knock after 8?", "UK"),
        ("he owes £900", "UK"),
        ("在美国晚上几点以后不能上门？", "US"),
        ("FDCPA mini-Miranda?", "US"),
        ("在深圳外访要几个人", "CN"),
        ("外访需要几个人？", None),
        ("Can I tell his wife why I'm there?", None),
    ],
)
def test_jurisdiction_from_the_question(text, jurisdiction):
    assert understand(text, VOCAB).jurisdiction == jurisdiction


@pytest.mark.parametrize(("text", "kinds"), [
    ("外访的录音录像多久内要上传，要保存多长时间？", ("duration", "duration")),
    ("资料包发错人了，要在多长时间内上报？报给谁？", ("duration", "who")),
    ("外访需要几个人？", ("count",)),
    ("最多能去几个人？", ("limit", "count")),
    ("How many of us can go at most?", ("count", "limit")),
    ("How long does a breathing space last?", ("duration",)),
    ("What's the maximum fine under PIPL?", ("amount",)),
    ("what's the max civil penalty per violation?", ("amount",)),
    ("how big a fine does the FCA usually give?", ("amount",)),
    ("What is the penalty for visiting at night?", ()),  # a consequence, not necessarily a figure
    ("When may I visit a borrower in the UK?", ("clock",)),
    ("Can I tell his wife why I'm there?", ()),
    ("How much notice do we give before a visit?", ("duration",)),
    ("How much can he pay?", ("amount",)),
])
def test_what_kind_of_answer_a_question_asks_for(text, kinds):
    assert asked_kinds(text) == kinds


def test_sentences_that_state_each_kind_of_answer():
    assert stated_kinds("录音录像须在 24 小时内上传") == {"duration"}
    assert "count" in stated_kinds("每次外访至少两名催收员参加")
    assert "amount" in stated_kinds("处五千万元以下或者上一年度营业额百分之五以下罚款")
    assert stated_kinds("Visits take place between 08:00 and 20:00.") == {"clock"}
    assert not stated_kinds("2021年11月30日施行") & {"duration"}  # a date is not a duration
    assert not stated_kinds("Never tell a third party about the debt.")


def test_a_chosen_jurisdiction_wins_and_is_marked_selected():
    q = understand("How many collectors?", VOCAB, jurisdiction="uk")
    assert (q.jurisdiction, q.jurisdiction_source) == ("UK", "selected")


def test_elsewhere_is_recognised():
    assert understand("Can we visit borrowers in Australia at night?", VOCAB).elsewhere
    assert not understand("Can we visit borrowers in the UK at night?", VOCAB).elsewhere


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("外访需要几个人？", "staffing"),
        ("Can I tell his wife why I'm there?", "third_parties"),
        ("can we go at 7:30 am in China?", "visit_hours"),
        ("When may I visit a borrower in the UK?", "visit_hours"),
        ("他让我走，我还能再说两句吗", "leave_when_asked"),
        ("客户有律师了还能上门吗", "represented"),
    ],
)
def test_topics_from_the_vocabulary(text, topic):
    ids = [c.id for c in understand(text, VOCAB).concepts]
    assert topic in ids[:2], ids


def test_computed_visit_windows_come_from_the_rules():
    fact = the_fact("Can I visit at 21:30 in the UK?", "visit_time")
    assert fact.sentence.startswith("No.") and "20:00" in fact.sentence and "21:30" in fact.sentence
    assert fact.values == {"jurisdiction": "UK", "allowed": False}
    fact = the_fact("Can I visit at 21:30 in China?", "visit_time")
    assert fact.values["allowed"] is True and "22:00" in fact.sentence
    fact = the_fact("英国晚上九点半可以上门吗？", "visit_time")
    assert fact.sentence.startswith("不可以") and "20:00" in fact.sentence


def test_a_time_inside_the_window_that_the_customer_called_inconvenient_is_not_a_yes():
    fact = the_fact("customer in Cardiff works nights, sleeps till about 2pm. is a 9am knock fine?", "visit_time")
    assert fact.sentence.startswith("Not at a time") and "08:00 to 20:00" in fact.sentence
    assert fact.citation == "Field Visit Policy §3.3" and fact.values == {"jurisdiction": "UK", "allowed": False}
    fact = the_fact("在美国，客户之前说过早上不方便，那8点15分上门算违规吗？", "visit_time")
    assert fact.sentence.startswith("不宜") and "08:15" in fact.sentence and "21:00" in fact.sentence
    # without a stated inconvenience the same time is a plain yes
    assert the_fact("Cardiff customer, is a 9am knock fine?", "visit_time").sentence.startswith("Yes")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("We'd reach the door about 8.50pm and these usually take 20 mins.", 20),
        ("team gets there 8:40pm, usually takes 30 min", 30),
        ("at 7pm, it takes half an hour", 30),
        ("晚上九点四十左右能到，一般要聊半小时", 30),
        ("晚上八点到，大概二十分钟", 20),
        ("we drove 2 hrs each way, can we go at 8pm?", None),  # travel, not the visit
        ("can we go at 8pm?", None),
    ],
)
def test_visit_lengths_in_questions(text, minutes):
    assert understand(text, VOCAB).visit_minutes == minutes


def test_a_visit_that_would_run_past_the_window_is_not_a_yes():
    fact = the_fact("Columbus, Ohio customer. We'd reach the door about 8.50pm and these usually take 20 mins. Go or no go?", "visit_time")
    assert fact.sentence.startswith("No.") and "21:10" in fact.sentence and "08:00 to 21:00" in fact.sentence
    assert fact.citation == "Field Visit Policy §4.1" and fact.values == {"jurisdiction": "US", "allowed": False}
    fact = the_fact("深圳的客户，我们晚上九点四十左右能到，一般要聊半小时，还来得及吗", "visit_time")
    assert fact.sentence.startswith("不可以") and "22:10" in fact.sentence
    # a visit that ends inside the window is still a yes
    assert the_fact("Columbus, Ohio customer, we get there at 8pm, it takes 20 mins", "visit_time").sentence.startswith("Yes")


def test_computed_staffing_and_authority():
    settings = make_settings(Path("/tmp/unused"), SHIPPED)
    facts = compute(understand("外访需要几个人？", VOCAB), settings)
    assert facts and facts[0].kind == "staffing" and "两名" in facts[0].sentence
    facts = compute(understand("Can I go alone if my partner is sick?", VOCAB), settings)
    assert facts and facts[0].sentence.startswith("No.")
    facts = [f for f in compute(understand("What discount can a supervisor give on a credit card in the UK?", VOCAB), settings) if f.kind == "discount_authority"]
    assert facts and "25%" in facts[0].sentence


def test_a_follow_up_keeps_the_topic_and_changes_the_country():
    first = "When may I visit a borrower in the UK?"
    q = resolve(understand("and in the US?", VOCAB), [{"role": "user", "content": first}], VOCAB)
    assert q.jurisdiction == "US" and q.topic == "visit_hours"
    q = resolve(understand("那如果是在他单位呢？", VOCAB), [{"role": "user", "content": "晚上九点可以去他家吗？"}], VOCAB)
    assert q.place == "workplace" and q.time == dt.time(21, 0)
    q = resolve(understand("what if he has a lawyer?", VOCAB), [{"role": "user", "content": "Can I visit him at work in the US?"}], VOCAB)
    assert q.jurisdiction == "US" and q.topic.startswith("represent")


def test_a_follow_up_about_the_rule_in_general_leaves_the_case():
    first = [{"role": "user", "content": "CN-006 吴国庆那笔老账，上门的时候能不能说“不还就起诉”？"}]
    q = resolve(understand("那国内一般诉讼时效是几年？", VOCAB), first, VOCAB)
    assert q.case_id is None and not q.about_case and q.jurisdiction == "CN"
    q = resolve(understand("那他还能还一点吗？", VOCAB), first, VOCAB)
    assert q.case_id == "CN-006"  # a follow-up about the same borrower keeps the case


def test_a_new_question_is_not_a_follow_up():
    long = "What must the opening statement at the door include for a first visit in China?"
    q = resolve(understand(long, VOCAB), [{"role": "user", "content": "When may I visit in the UK?"}], VOCAB)
    assert q.jurisdiction == "CN" and q.query == long


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 20_000, "too long"),
        ("visit\x00\x01hours", "binary"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        ("Quand puis-je rendre visite à un emprunteur ?", "French"),
        ("訪問は何時までですか？", "Japanese"),
    ],
)
def test_bad_questions_give_one_clear_error(bad, says):
    with pytest.raises(QuestionError, match=says):
        validate_question(bad)


def test_a_malformed_concept_file_names_the_file_and_field(tmp_path):
    (tmp_path / "concepts.yaml").write_text("concepts:\n  - id: x\n    title: {en: X, zh: 叉}\n    triggers: {en: [a]}\n    sections: {ALL: [A]}\n    colour: red\n")
    with pytest.raises(KnowledgeError, match=r"concepts\.yaml.*concept x: colour"):
        load_vocabulary(tmp_path)
    (tmp_path / "concepts.yaml").write_text("concepts: [\n")
    with pytest.raises(KnowledgeError, match=r"concepts\.yaml.*broken YAML"):
        load_vocabulary(tmp_path)


def test_a_malformed_not_covered_topic_names_the_file_and_field(tmp_path):
    concept = "  - id: x\n    title: {en: X, zh: 叉}\n    triggers: {en: [a]}\n    sections: {ALL: [A]}\n"
    (tmp_path / "concepts.yaml").write_text(f"concepts:\n{concept}not_covered:\n  - id: pay\n    title: {{en: P, zh: 薪}}\n    trigers: {{en: [salary]}}\n")
    with pytest.raises(KnowledgeError, match=r"concepts\.yaml.*not_covered\.0"):
        load_vocabulary(tmp_path)
    (tmp_path / "concepts.yaml").write_text(f"concepts:\n{concept}not_covered:\n  - id: x\n    title: {{en: P, zh: 薪}}\n    triggers: {{en: [salary]}}\n")
    with pytest.raises(KnowledgeError, match=r"duplicate id 'x'"):
        load_vocabulary(tmp_path)


@pytest.mark.parametrize(("question", "topic"), [
    ("外访员底薪一个月多少？", "staff_pay_benefits"),
    ("if a dog bites me on a visit does the company insurance cover it?", "staff_pay_benefits"),
    ("borrower says he's filing Chapter 7 next week - how does the automatic stay work?", "insolvency_proceedings"),
    ("customer gave me a box of mooncakes to say thanks, can I accept small gifts?", "gifts"),
    ("When may I visit a borrower in the UK?", None),
])
def test_topics_the_pack_does_not_cover_are_recognised(question, topic):
    hit = VOCAB.outside(question)
    assert (hit[0].id if hit else None) == topic


def test_quantities_are_read_in_both_languages():
    assert quantities("years", "kept for three years, then deleted") == {"3"}
    assert quantities("years", "录音保存三年") == {"3"}
    assert quantities("working_days", "within one working day") == {"1"}
    assert quantities("working_days", "两个工作日内") == {"2"}
    assert quantities("time_window", "UK: 08:00–20:00") == {"08:00–20:00"}


def test_the_validator_catches_two_documents_that_disagree(tmp_path):
    (tmp_path / "concepts.yaml").write_text(
        "concepts:\n  - id: retention\n    title: {en: R, zh: 保存}\n    triggers: {en: [keep]}\n"
        "    sections: {ALL: ['A §1', 'B §2']}\n    quantities: [years]\n"
    )
    vocab = load_vocabulary(tmp_path)
    sections = [("a.en.md", "en", "A §1", "Recordings are kept three years."), ("b.en.md", "en", "B §2", "Keep them at least two years.")]
    [problem] = quantity_conflicts(vocab, sections)
    assert "a.en.md and b.en.md" in problem and "retention" in problem
    sections[1] = ("b.en.md", "en", "B §2", "Keep them for 3 years.")
    assert quantity_conflicts(vocab, sections) == []


def test_validate_flags_a_complaint_deadline_that_disagrees_across_the_shipped_policies(tmp_path):
    import shutil

    from visitcoach.corpus.pack import validate_pack

    pack = tmp_path / "pack"
    shutil.copytree(SHIPPED, pack)
    assert not [p for p in validate_pack(pack).problems if "concept" in p]
    agency = pack / "policy" / "agency-management-policy.en.md"
    text = agency.read_text(encoding="utf-8")
    assert "within one business day of receiving it" in text
    agency.write_text(text.replace("within one business day of receiving it", "within two business days of receiving it"), encoding="utf-8")
    [problem] = [p for p in validate_pack(pack).problems if "concept" in p]
    assert "complaints_breaches (working_days)" in problem and "§7.1 says 2" in problem and "§12 says 1" in problem


@pytest.mark.parametrize(("text", "follows"), [
    ("and in the UK?", True),
    ("那如果是在他单位呢？", True),
    ("what if he has a lawyer?", True),
    ("Is that allowed for him too, on a Sunday?", True),
    # whole questions that use a pronoun of their own subject start a new topic
    ("When a Northstar Recovery LLC agent knocks on the door, what do they have to say about being a debt collector?", False),
    ("借款人联系不上，可以打给他借款时填的紧急联系人，让联系人帮忙还钱吗？", False),
])
def test_a_follow_up_is_a_turn_that_leans_on_the_one_before(text, follows):
    assert is_follow_up(text) is follows


def test_a_bracketed_list_of_countries_is_cut_to_the_country_asked():
    from visitcoach.qa.compose import narrowed

    en = "the agent calls emergency services (120 or 110 in China, 911 in the US, 999 in the UK) and stays"
    assert narrowed(en, "US") == "the agent calls emergency services (911 in the US) and stays"
    assert narrowed(en, None) == en
    assert narrowed("a crisis line (in the US, 988; in the UK, Samaritans on 116 123)", "UK") == "a crisis line (in the UK, Samaritans on 116 123)"
    assert narrowed("立即拨打（中国 120 或 110、美国 911、英国 999）", "CN") == "立即拨打（中国 120 或 110）"
    assert narrowed("(CONC 7.9.14 R; CONC 7.3.4 R)", "UK") == "(CONC 7.9.14 R; CONC 7.3.4 R)"  # one country: left alone


@pytest.mark.parametrize(("text", "expected"), [
    ("外访结束后多长时间内要完成外访记录？谁来复核？", ("外访结束后多长时间内要完成外访记录？", "谁来复核？")),
    ("超权限的减免报上去，主管几天给答复？经理呢？", ("超权限的减免报上去，主管几天给答复？", "经理呢？")),
    ("How early must we give notice? What goes in it?", ("How early must we give notice?", "What goes in it?")),
    ("customer has a lawyer, can I still visit? US", ()),  # a trailing country is not a question
    ("When may I visit?", ()),
])
def test_a_message_that_asks_several_questions_is_split(text, expected):
    from visitcoach.qa.understand import question_parts

    assert question_parts(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("What commission rate does a field agent earn per account recovered?", ("commission",)),
    ("What travel allowance per visit do field agents get?", ("allowance",)),
    ("兰亭消费金融去年外访的回款率是多少？", ("回款率",)),
    ("外访员底薪是多少", ("底薪",)),
    ("How long do we keep recordings?", ()),
    ("这家机构一共有多少名外访员？", ("外访员",)),  # a head count: what is counted
    ("每个小组配几位质检专员负责复核", ("质检专员",)),
    ("外访需要几个人？", ()),  # 个人: no named subject, the opening must state the count
])
def test_what_a_figure_question_asks_the_figure_of(text, expected):
    from visitcoach.qa.understand import figure_subject

    assert figure_subject(text) == expected


def test_fragments_and_sentences_about_the_document_are_told_apart():
    from visitcoach.qa.compose import _unbalanced, sentence_facts

    assert _unbalanced("I'd rather agree a plan with you.\"")  # the tail of a quoted script line
    assert not _unbalanced('He said "Stop."')
    assert sentence_facts("This item singles out a common and damaging misrepresentation.").meta
    assert not sentence_facts("This presumption applies to telephone calls only.").meta


def test_the_pronoun_us_and_a_little_are_not_a_country_or_a_time():
    assert understand("Can we roll up with four or five of us?", VOCAB).jurisdiction is None
    assert understand("What does US law say?", VOCAB).jurisdiction == "US"
    assert understand("Can we visit in the us at night?", VOCAB).jurisdiction == "US"
    assert mentioned_time("穿件反光背心，客户开门会快一点。") is None
    assert mentioned_time("凌晨一点可以上门吗？") == dt.time(1, 0)
    assert mentioned_time("下午两点半去") == dt.time(14, 30)


def test_the_token_payment_comes_from_the_plan_policy():
    from visitcoach.corpus.pack import load_plan_policy

    policy = load_plan_policy(SHIPPED)
    uk_card = f"{policy.products['credit_card']['UK'].token_payment:,.2f}"
    fact = the_fact("UK credit card, nothing left each month. What token do we offer?", "token_payment")
    assert f"GBP {uk_card}" in fact.sentence and fact.citation == "Hardship and Repayment Plan Policy §3.6"
    fact = the_fact("客户入不敷出，哪个方案都负担不了，怎么办？", "token_payment")
    cn_loan = f"{policy.products['consumer_loan']['CN'].token_payment:,.2f}"
    assert f"CNY {cn_loan}" in fact.sentence and fact.sentence.startswith("没有可负担的方案时")


@pytest.mark.parametrize(("question", "start"), [
    ("Can we roll up with four or five of us so the customer takes it seriously?", "No. At least two and no more than three"),
    ("能不能多叫几个同事一起去壮壮声势？", "不可以。外访至少两名催收员同行，到场人员不得超过三人"),
])
def test_more_people_than_the_rule_allows_gets_the_maximum(question, start):
    """The staffing rules hold a maximum too (VISIT-STAFF-002): a question proposing more people is
    answered with it, not with the two-person minimum."""
    fact = the_fact(question, "staffing")
    assert fact.sentence.startswith(start) and fact.values["max_collectors"] == 3
    fact = the_fact("外访需要几个人？", "staffing")
    assert "max_collectors" not in fact.values  # the minimum question keeps its answer


@pytest.mark.parametrize(("text", "income", "weeks"), [
    ("She's paid £180 a week from a part-time job.", Decimal("780.00"), 1),
    ("he earns $900 every two weeks", Decimal("1950.00"), 2),
    ("客户每周收入 1500 元，开支 4000", Decimal("6500.00"), 1),
    ("工资8000，开支5000", Decimal("8000"), None),
    ("客户每两周发一次工资，每次420，折成月收入是多少？", Decimal("910.00"), 2),
])
def test_a_weekly_or_fortnightly_income_is_taken_monthly(text, income, weeks):
    """Plan policy §2.1: weekly amounts × 52 ÷ 12, fortnightly × 26 ÷ 12."""
    figures = mentioned_figures(text)
    assert figures["income"] == income
    assert figures.get("income_weeks") == (Decimal(weeks) if weeks else None)


def test_the_monthly_income_is_computed_and_then_the_instalment():
    settings = make_settings(Path("/tmp/unused"), SHIPPED)
    facts = compute(understand("She's paid £180 a week from a part-time job. What monthly income figure goes in the I&E?", VOCAB), settings)
    assert facts[0].kind == "monthly_income" and "GBP 780.00 a month" in facts[0].sentence
    assert facts[0].citation == "Hardship and Repayment Plan Policy §2.1"
    q = understand("客户每周收入 1500 元，每月开支 4000，最多能定多少月供？", VOCAB)
    kinds = [f.kind for f in compute(q, settings)]
    assert kinds == ["monthly_income", "affordability"]
    [fact] = [f for f in compute(q, settings) if f.kind == "affordability"]
    assert "CNY 6,500.00" in fact.sentence and "CNY 1,500.00" in fact.sentence  # (6500 - 4000) × 60 %


@pytest.mark.parametrize(("question", "n", "monthly"), [
    ("合同月供 300，逾期 2000，可负担月供算出来是 650。逾期款分几个月补齐？每月还多少？", 6, "633.33"),
    ("Contractual payment is 250, arrears are 900 and the affordable instalment works out at 400. How many months to catch up?", 6, "400.00"),
])
def test_the_catch_up_is_computed_from_the_figures_given(question, n, monthly):
    """Plan policy §3.1: the smallest n with C + R ÷ n ≤ A, from the question's own figures."""
    fact = the_fact(question, "catch_up")
    assert fact.values == {"months": n, "instalment": monthly, "fits": True}
    assert monthly in fact.sentence and fact.citation == "Hardship and Repayment Plan Policy §3.1"


def test_arrears_counted_in_months_are_not_an_amount():
    assert "arrears" not in mentioned_figures("逾期3个月，欠款5000，每月能还多少")
    assert mentioned_figures("arrears are 600 and the visit would cost 150")["arrears"] == Decimal("600")


@pytest.mark.parametrize(("question", "says"), [
    ("Car finance, £12,000 left, he wants to settle at £10,500. Can I agree that on the doorstep?", "discount of 12.5% of the balance on auto loans in the UK; that is above an agent's"),
    ("She owes $8,000 and offers to settle for $7,500. OK?", "discount of 6.25% of the balance on consumer loans; that is within an agent's authority of 10%"),
    ("客户余额 5 万，想一次性还 4 万结清，我能直接答应吗？", "减免比例为余额的 20%（消费贷款）；超过外访专员 10% 的权限，外访时不能当场答应，须报主管批准"),
    ("经营贷余额 20 万，客户只肯一次性出 13 万结清，经理能批吗？", "减免比例为余额的 35%（小微企业贷款）；超过经理 30% 的权限"),
])
def test_a_proposed_settlement_is_turned_into_its_discount_and_who_may_agree_it(question, says):
    fact = the_fact(question, "discount_authority")
    assert says in fact.sentence and fact.citation == "Hardship and Repayment Plan Policy §4.1"


@pytest.mark.parametrize("text", ["余额5万，每月还2000，能减免吗？", "余额 5 万，他说能还 2000，能减免吗？", "She owes 8000 and earns 2000"])
def test_an_instalment_or_an_income_is_not_read_as_a_settlement(text):
    figures = mentioned_figures(text)
    assert "settlement" not in figures


def test_a_bare_repayment_that_closes_the_account_is_a_settlement():
    assert mentioned_figures("欠款20000，他说还15000了结行不行") == {"balance": Decimal("20000"), "settlement": Decimal("15000")}


@pytest.mark.parametrize(
    "text",
    [
        "Massachusetts customer: how many in-person visits per week are allowed under the state rules?",
        "does California's Rosenthal Act let in-house staff visit on Sundays?",
        "What does Texas state law say about visits?",
        "纽约州对上门催收有什么规定？",
    ],
)
def test_a_question_about_one_us_states_own_law_is_told_apart(text):
    """The pack carries federal US law only: a question about a state's own law is one it does not answer."""
    assert understand(text, VOCAB).state_law


def test_federal_questions_are_not_state_law_questions():
    assert understand("Can we visit a customer in Ohio at 8pm under the FDCPA?", VOCAB).state_law is None


@pytest.mark.parametrize(("text", "balance", "settlement"), [
    ("US personal loan, balance $800, customer offers $600 to settle. Who can approve that?", "800", "600"),
    ("card balance $10,000, customer offers $7,000 lump sum from savings. who has to sign off?", "10000", "7000"),
    ("客户信用卡欠5万，想一次性还3.8万结清，我现场能直接答应吗", "50000", "38000"),
    ("车贷余额10万，客户想打八折一次结清，谁有权批", "100000", "80000"),
    ("余额2万，七五折结清行吗", "20000", "15000"),
    ("owes £5,000, wants 30% off to settle", "5000", "3500"),
])
def test_a_settlement_offer_is_read_however_it_is_put(text, balance, settlement):
    figures = mentioned_figures(text)
    assert (figures["balance"], figures["settlement"]) == (Decimal(balance), Decimal(settlement))


@pytest.mark.parametrize(("text", "disposable"), [
    ("小微企业贷款客户，可支配收入算下来1600，能做常规分期吗？", "1600"),
    ("Atlanta auto loan, disposable income works out $400, contract payment $500.", "400"),
    ("disposable income is about £300 a month", "300"),
])
def test_a_disposable_income_is_read_with_the_words_agents_put_before_it(text, disposable):
    assert mentioned_figures(text)["disposable"] == Decimal(disposable)


def test_an_instalment_is_not_a_settlement():
    assert "settlement" not in mentioned_figures("欠款2万，每月还300")
    assert "settlement" not in mentioned_figures("balance £2,000, he offers £50 a month")


def test_a_settlement_offer_is_answered_with_the_discount_and_who_approves_it():
    fact = the_fact("card balance $10,000, customer offers $7,000 lump sum. who has to sign off?", "discount_authority")
    assert "30%" in fact.sentence and fact.values["role"] == "manager"


def test_an_income_that_fits_no_plan_is_answered_with_the_token_payment_too():
    from visitcoach.corpus.pack import load_plan_policy

    settings = make_settings(Path("/tmp/unused"), SHIPPED)
    token = f"CNY {load_plan_policy(SHIPPED).products['credit_card']['CN'].token_payment:,.2f}"
    facts = compute(understand("Chinese credit card customer, disposable income CNY 150 a month. Anything we can offer?", VOCAB), settings)
    assert [f.kind for f in facts] == ["affordability", "token_payment"]
    assert facts[0].values["fits"] is False and token in facts[1].sentence
    fits = compute(understand("Chinese credit card customer, disposable income CNY 1,500 a month. What can he pay?", VOCAB), settings)
    assert [f.kind for f in fits] == ["affordability"]


def test_a_quoted_table_keeps_the_product_and_country_asked():
    from visitcoach.qa.compose import narrowed_table

    table = ("| Product | Affordability cap | Min instalment CN | Min instalment US | |---|---|---|---| "
             "| Consumer loan (consumer_loan) | 0.60 (60%) | CNY 200.00 | USD 50.00 | | Auto loan (auto_loan) | 0.65 (65%) | CNY 500.00 | USD 100.00 |")
    cut = narrowed_table(table, "auto_loan", "US")
    assert "USD 100.00" in cut and "0.65" in cut and "USD 50.00" not in cut and "CNY" not in cut
    assert narrowed_table(table, None, None) == table
    assert narrowed_table(table, "sme_loan", None) == table  # a product the table does not hold: left whole
    zh = "| 产品 | 中国 | 英国 | |---|---|---| | 消费贷款（consumer_loan） | CNY 50.00 | GBP 1.00 | | 汽车贷款（auto_loan） | CNY 100.00 | GBP 5.00 |"
    assert narrowed_table(zh, "auto_loan", "CN") == "| 产品 | 中国 | | --- | --- | | 汽车贷款（auto_loan） | CNY 100.00 |"


@pytest.mark.parametrize(("question", "ability", "says"), [
    ("Atlanta auto loan, disposable income works out $400, contract payment $500. what bucket is he?", "partial", "segment partial"),
    ("消费贷，合同月供 300，可支配收入算下来 1000，属于哪一层？", "able", "able（有能力）"),
    ("消费贷，合同月供 300，可支配收入只有 200，怎么办？", "unable", "unable（无能力）"),
])
def test_the_segment_is_computed_when_the_contractual_instalment_is_given(question, ability, says):
    """Plan policy §2.4: A against the contractual instalment C sets the segment, and with it the options."""
    fact = the_fact(question, "affordability")
    assert fact.values["ability"] == ability and says in fact.sentence


@pytest.mark.parametrize(("question", "option", "says"), [
    ("英国消费贷客户，减额还款最长能给几个月？多久要复核一次？", "reduced_payment", "最长 12 个月，自开始起 3 个月复核"),
    ("消费贷客户想停息，谁能批？最长能停多久？", "interest_freeze", "停息最长 6 个月，须主管或以上批准"),
    ("How long can we freeze interest on a credit card?", "interest_freeze", "at most 12 months; a supervisor (China), a supervisor (the US), an agent (the UK)"),
    ("UK auto loan: how many instalments can a settlement be paid in at most?", "settlement_instalments", "at most"),
])
def test_a_plan_options_limits_come_from_the_plan_policy(question, option, says):
    """"减额还款最长能给几个月？" is answered from plan_policy.yaml for the product and country asked."""
    fact = the_fact(question, "plan_limit")
    assert fact.values["option"] == option and says in fact.sentence


def test_a_plan_option_named_without_asking_its_limit_is_not_a_limit_question():
    settings = make_settings(Path("/tmp/unused"), SHIPPED)
    assert not [f for f in compute(understand("客户想申请减额还款，要准备什么材料？", VOCAB), settings) if f.kind == "plan_limit"]


def test_every_answer_template_renders_in_both_languages():
    """Both template files hold the same entries, and each sentence fills from named figures only."""
    import string

    from visitcoach.qa.compute import templates

    en, zh = (templates(SHIPPED.parent / "prompts", lang) for lang in ("en", "zh"))
    assert set(en) == set(zh)
    for t in (en, zh):
        for key, value in t.items():
            if isinstance(value, str):
                names = {f for _, f, _, _ in string.Formatter().parse(value) if f}
                assert value.format(**dict.fromkeys(names, "X")), key


def test_a_case_affordability_names_the_segment_from_the_case_files_contractual_instalment():
    """Plan policy §2.4: the segment says which options come first; the case file holds C."""
    fact = the_fact("CN-001 刘秀梅，按档案里的数字算，她每月可支配收入和可负担月供各是多少？", "affordability")
    assert "partial" in fact.sentence and "减额还款" in fact.sentence and fact.values["ability"] == "partial"


def test_the_retention_period_is_read_from_the_governing_section_and_a_shorter_one_is_refused():
    fact = the_fact("How long do we keep the doorstep recordings for?", "retention")
    assert fact.values == {"years": 3, "allowed": True} and fact.citation == "Field Visit Policy §6"
    fact = the_fact("国内信用卡的催收录音，是不是保存两年就能删了？", "retention")
    assert fact.sentence.startswith("不可以") and "满 3 年" in fact.sentence and fact.values["allowed"] is False
    settings = make_settings(Path("/tmp/unused"), SHIPPED)
    # deleting a borrower's data when an agency contract ends is another rule (Agency Management Policy §8.2)
    assert not [f for f in compute(understand("委外机构合同终止后，要在多长时间内删除借款人数据？", VOCAB), settings) if f.kind == "retention"]


def test_a_retention_section_stating_two_periods_gives_no_computed_answer(tmp_path):
    from visitcoach.qa.compute import _retention_years

    (tmp_path / "policy").mkdir()
    text = (SHIPPED / "policy" / "field-visit-policy.en.md").read_text(encoding="utf-8")
    assert _retention_years(SHIPPED) == 3
    edited = text.replace("are kept until three years", "are kept until three years (five years for UK accounts)", 1)
    (tmp_path / "policy" / "field-visit-policy.en.md").write_text(edited, encoding="utf-8")
    assert _retention_years(tmp_path) is None

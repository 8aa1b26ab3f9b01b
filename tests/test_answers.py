"""Answers over the shipped pack: the right section, the right country, the answer first.

The three questions a new user tried (and the same three in the other language) must be answered
from the section that governs them, for the jurisdiction asked; follow-ups keep the topic.
"""

from __future__ import annotations

import re

import pytest

from visitcoach.ask import QuestionError, ask
from visitcoach.evals import scorers
from visitcoach.retrieval.index import KnowledgeIndex

from .conftest import SHIPPED, make_settings


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> KnowledgeIndex:
    """The whole shipped pack, case files included, as the app serves it (the case files change
    the search scores, so a pack without them can pass where the app fails)."""
    from visitcoach.ingest import ingest

    data = tmp_path_factory.mktemp("pack-cases-data")
    ingest(make_settings(data, SHIPPED))
    return KnowledgeIndex(make_settings(data, SHIPPED))


def first_sentence(text: str) -> str:
    return scorers.split_sentences(text)[0]


def cited(answer, n: int) -> str:
    return answer.citations[n - 1].citation


def test_uk_visit_hours_come_from_the_uk_line_of_the_policy(pack):
    for question, jurisdiction in (("When may I visit a borrower in the UK?", None), ("When may I visit a borrower?", "UK")):
        answer = ask(pack, question, jurisdiction=jurisdiction)
        first = first_sentence(answer.answer)
        assert "08:00" in first and "20:00" in first, answer.answer
        assert cited(answer, scorers.markers(first)[0]) == "Field Visit Policy §4.2"
        assert "21:00" not in answer.answer and "22:00" not in answer.answer  # no other country's window
        assert "It holds:" not in answer.answer  # the visit pack's contents sound close but do not answer


@pytest.mark.parametrize("question", ["英国什么时候可以上门？", "英国什么时间可以上门？"])
def test_uk_visit_hours_in_chinese(pack, question):
    answer = ask(pack, question)
    first = first_sentence(answer.answer)
    assert answer.lang == "zh" and "20:00" in first and "21:00" not in answer.answer
    assert cited(answer, 1) == "外访管理制度 §4.2"


@pytest.mark.parametrize(("question", "fact", "citation"), [
    ("外访需要几个人？", "两名", "外访管理制度 §5.1"),
    ("How many collectors must go on a visit?", "two", "Field Visit Policy §5.1"),
])
def test_staffing_answers_two_collectors_first(pack, question, fact, citation):
    answer = ask(pack, question)
    assert fact in first_sentence(answer.answer) and cited(answer, 1) == citation


@pytest.mark.parametrize(("question", "fact", "citation"), [
    ("Can I tell his wife why I'm there?", "never tell a third party", "Field Visit Policy §8"),
    ("我能告诉他老婆我为什么来吗？", "不得向第三人透露", "外访管理制度 §8"),
])
def test_third_parties_get_the_group_rule_first(pack, question, fact, citation):
    answer = ask(pack, question)
    assert fact in first_sentence(answer.answer), answer.answer
    assert cited(answer, 1) == citation


def test_a_time_is_computed_against_the_window_of_the_country(pack):
    answer = ask(pack, "Can we knock at 9:30pm in the UK?")
    assert first_sentence(answer.answer).startswith("No.") and "21:30" in answer.answer
    answer = ask(pack, "晚上九点半在国内上门可以吗？", jurisdiction="CN")
    assert first_sentence(answer.answer).startswith("可以") and "22:00" in answer.answer


def test_follow_ups_keep_the_topic_and_change_the_country(pack):
    first = "When may I visit a borrower in the UK?"
    answer = ask(pack, "and in the US?", history=[{"role": "user", "content": first}])
    assert "21:00" in first_sentence(answer.answer) and "20:00" not in first_sentence(answer.answer)
    answer = ask(pack, "那美国呢？", history=[{"role": "user", "content": "英国什么时候可以上门？"}])
    assert "21:00" in first_sentence(answer.answer)
    answer = ask(pack, "那如果是在他单位呢？", history=[{"role": "user", "content": "外访需要几个人？"}])
    assert answer.covered and any(c.citation.endswith("§4.3") for c in answer.citations)
    answer = ask(pack, "what if he has a lawyer?", history=[{"role": "user", "content": "Can I visit him at home in the US?"}])
    assert any("1692c(a)(2)" in c.citation or "§2.3" in c.citation for c in answer.citations)


def test_a_named_jurisdiction_admits_only_its_law_and_group_policy(pack):
    answer = ask(pack, "Can I tell his mother about the debt? This is in the UK.")
    docs = {c.doc_id for c in answer.citations}
    assert docs and not any(d.startswith(("legal-us", "legal-cn")) for d in docs)


def test_another_country_is_declined(pack):
    assert not ask(pack, "What are the visiting hours in Australia?").covered


def test_a_case_question_is_answered_from_the_case_file_first(index):
    # (the pack fixture leaves case files out; the fixture corpus has one)
    answer = ask(index, "哪个案例的客户开餐馆、现金流紧张？")
    assert re.match(r"CN-001：", answer.answer), answer.answer
    answer = ask(index, "CN-001 能上门吗？")
    assert answer.answer.startswith("CN-001：")


@pytest.mark.parametrize("bad", ["", "   ", "x" * 20_000, "\x00\x01\x02", "Quand puis-je rendre visite à un emprunteur ?", "訪問は何時までですか？"])
def test_bad_questions_are_rejected_before_any_search(pack, bad):
    with pytest.raises(QuestionError):
        ask(pack, bad)


def test_the_correctness_scorers_fail_a_wrong_answer():
    """A metric must tell a wrong answer from a right one: feed it known-bad outputs."""
    right = "In the UK visits are made only between 08:00 and 20:00 local time. [1]"
    wrong_country = "Plan visits between 08:00 and 21:00 at the borrower's location. [1]"
    off_topic = "The visit pack holds the borrower's name and address. [1] Visits end at 20:00. [2]"
    facts, forbidden = ["08:00", "20:00"], ["21:00"]
    assert scorers.all_key_facts(right, facts).value == 1.0
    assert scorers.all_key_facts(wrong_country, facts).value == 0.0
    assert scorers.wrong_jurisdiction(wrong_country, [], "UK", forbidden).value == 1.0
    assert scorers.wrong_jurisdiction(right, [], "UK", forbidden).value == 0.0
    assert scorers.direct_answer(right, facts).value == 1.0
    assert scorers.direct_answer(off_topic, facts).value == 0.0
    # a bare verdict opens the answer: the sentence after it is the direct answer's body, and no further
    assert scorers.direct_answer("No. In the UK visits are made only between 08:00 and 20:00. [1]", facts).value == 1.0
    assert scorers.direct_answer("不可以。外访至少两名催收员同行。[1]", ["两名"]).value == 1.0
    assert scorers.direct_answer("No. Visits need a reason. [1] They end at 08:00 or 20:00. [2]", facts).value == 0.0
    us_source = [{"citation": "15 U.S.C. 1692c(a)(1)", "jurisdiction": "US"}]
    assert scorers.wrong_jurisdiction("Visits end at 20:00 in the evening. [1]", us_source, "UK", []).value == 1.0
    assert scorers.citation_in_top(us_source, ["Field Visit Policy §4.2"], []).value == 0.0
    # a clock time is one figure: "21:30 … 08:00" does not state the US window's "21:00", and 08:00 is 8:00
    computed = "No. In the UK visits are made only between 08:00 and 20:00, so 21:30 is outside the window. [1]"
    assert scorers.wrong_jurisdiction(computed, [], "UK", forbidden).value == 0.0
    assert scorers.all_key_facts(computed, ["8:00", "20:00"]).value == 1.0


def test_a_question_asking_two_things_gets_both(pack):
    """"How soon … and how long …" asks for two durations: the section's two figures, not one."""
    answer = ask(pack, "外访的录音录像多久内要上传，要保存多长时间？")
    assert "24 小时" in answer.answer and "三年" in answer.answer, answer.answer
    assert cited(answer, 1) == "外访管理制度 §6"


def test_a_country_question_prefers_the_sentence_about_that_country_alone(pack):
    answer = ask(pack, "may I visit at 21:30 in the UK?")
    assert not scorers.forbidden_facts(answer.answer, ["21:00", "22:00"]).value, answer.answer


@pytest.mark.server
def test_llm_mode_gets_the_understood_question_and_computed_facts_and_is_guarded(pack_index_dir):
    from .openai_stub import OpenAIStub

    question = "Can I visit at 21:30 in the UK?"
    with OpenAIStub() as server:
        server.replies.append("No. In the UK visits are made only between 08:00 and 20:00, so 21:30 is outside the window [1].")
        server.replies.append("Yes, UK visits may run until 22:00 [1].")  # a figure the engine did not compute
        settings = make_settings(pack_index_dir, SHIPPED, llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        index = KnowledgeIndex(settings)
        good = ask(index, question, settings=settings)
        bad = ask(index, question, settings=settings)
    system = server.requests[0]["body"]["messages"][0]["content"]
    assert "jurisdiction UK" in system and "21:30 is outside the window" in system  # the computed fact, fixed
    assert good.mode == "llm" and good.answer.startswith("No.") and good.citations
    assert bad.mode == "offline" and "not used" in bad.notice and "22:00" not in bad.answer
    assert bad.answer.startswith("No. In the UK visits are made only between 08:00 and 20:00")


def test_a_section_that_states_what_is_asked_outranks_one_that_only_shares_its_topic(pack):
    # 第一百九十二条 (what happens after the period ends) shares the topic; 第一百八十八条 says how long it is
    from visitcoach.ask import Engine
    from visitcoach.qa.sections import rank_sections
    from visitcoach.qa.understand import understand

    engine = Engine.of(pack)
    q = understand("民法典规定的一般诉讼时效期间是多长？", engine.vocabulary)
    ranked, _ = rank_sections(engine.sections, q, meaning=engine.meaning)
    assert ranked[0].citation == "民法典第一百八十八条", [r.citation for r in ranked[:3]]
    assert ranked[0].signals["kind"] == 1.0 and ranked[0].signals["body"] > 0


def test_a_named_country_gets_only_its_own_emergency_numbers(pack):
    for question, mine, others in (
        ("US customer tells me she's thinking of ending her life. Which numbers do I use?", ("988",), ("999", "116 123", "120")),
        ("英国客户说想自杀，有生命危险时打什么电话？", ("999", "116 123"), ("911", "988", "120")),
        ("美国客户提到轻生，危机热线是多少？", ("911", "988"), ("999", "116 123", "120")),
    ):
        answer = ask(pack, question)
        assert all(n in answer.answer for n in mine), answer.answer
        assert not any(n in answer.answer for n in others), answer.answer


def test_a_list_sentence_is_quoted_whole(pack):
    answer = ask(pack, "哪些地方绝对不能去找客户，即使客户同意也不行？")
    assert all(place in answer.answer for place in ("医院", "学校", "宗教场所", "葬礼")), answer.answer


def test_a_figure_the_pack_does_not_hold_is_refused_even_when_the_topic_matches(pack):
    # "起诉" matches the legal-threats topic, but no document gives a court fee
    refused = ask(pack, "如果起诉借款人，诉讼费大概要多少钱？")
    assert not refused.covered and refused.citations == []
    answered = ask(pack, "外访记录要在多长时间内写完？")  # its question words are phrasing, not a missing subject
    assert answered.covered and "24 小时" in answered.answer


@pytest.mark.parametrize("question", [
    "how many field agents does Northstar Recovery Ltd have working Lanting accounts right now?",
    "what's the actual conduct score threshold in the agency agreement, the one where new allocations get cut?",
    "what % commission does Northstar Recovery LLC actually get on what they collect for us?",
])
def test_an_internal_figure_the_pack_does_not_state_is_declined(pack, question):
    """Asked the way agents type ("what %", "how many field agents", "the actual … threshold"): the
    pack speaks of the topic but states no such figure."""
    assert not ask(pack, question).covered
    assert ask(pack, "what's the affordability cap on a UK credit card?").covered


@pytest.mark.parametrize("question", ["CN-099 这个案子逾期多少天了？", "UK-013 - is she still in breathing space?"])
def test_a_case_the_pack_does_not_hold_is_declined(pack, question):
    answer = ask(pack, question)
    assert not answer.covered and answer.citations == []


@pytest.mark.parametrize("question", [
    "German-resident borrower in Munich, does German law even allow doorstep collection visits?",
    "纽约市对催收员上门有没有自己单独的规定？",
])
def test_places_and_local_law_the_pack_does_not_carry_are_declined(pack, question):
    assert not ask(pack, question).covered


def test_a_named_case_brings_its_flags_into_the_answer(pack):
    # CN-005's borrower has a lawyer: the case's own instruction answers "can we still visit?"
    lawyer = ask(pack, "CN-005 这个客户还能上门找他吗？")
    assert "represented" in lawyer.understood["topics"], lawyer.understood["topics"]
    assert "代理律师" in first_sentence(lawyer.answer), lawyer.answer
    # CN-012 recorded consent to a late meeting: the computed window says so instead of a bare "no"
    late = ask(pack, "CN-012 约在晚上十点以后见面，这样合规吗？")
    assert not late.answer.startswith("不可以") and "同意" in first_sentence(late.answer), late.answer
    assert "23:30" in late.answer
    plain = ask(pack, "晚上十点以后去客户家见面，合规吗？")  # no case named: no consent to assume
    assert plain.answer.startswith("不可以"), plain.answer


def test_a_question_after_the_maximum_gets_the_cap_beside_the_computed_minimum(pack):
    answer = ask(pack, "最多能去几个人？")
    assert "两名" in first_sentence(answer.answer) and "不得超过三人" in answer.answer, answer.answer


def test_each_question_of_a_message_gets_its_answer(pack):
    """"…多长时间内要完成外访记录？谁来复核？" asks two things; the second (the co-sign) is in the same
    section but shares none of the first question's words."""
    answer = ask(pack, "外访结束后多长时间内要完成外访记录？谁来复核？")
    assert "24 小时" in first_sentence(answer.answer)
    assert "协助人员复核并会签" in answer.answer


def test_a_case_is_found_by_its_description(pack):
    """"Which case …" with no id: every case file is a candidate, and its title counts as its heading."""
    answer = ask(pack, "哪个案例的借款人是疑似认知障碍的独居老人？现在应该怎么处理？")
    assert answer.answer.startswith("CN-007"), answer.answer
    assert "暂停外访" in answer.answer


def test_a_data_incident_is_reported_within_two_hours(pack):
    answer = ask(pack, "资料包发错人了，要在多长时间内上报？")
    assert "两小时" in answer.answer and "个人信息保护负责人" in answer.answer, answer.answer
    assert any(c.citation == "个人信息保护与录音录像管理制度 §8.1" for c in answer.citations)


def test_a_figure_the_pack_does_not_hold_is_not_answered_with_the_topic(pack):
    """"回款率是多少" asks a figure; the pack describes the company's visits but holds no recovery
    rate, so quoting the policy's scope would read as an answer."""
    answer = ask(pack, "兰亭消费金融去年外访的回款率是多少？")
    assert not answer.covered, answer.answer
    # the agency scorecard states percentages, but none of them is a commission
    answer = ask(pack, "What commission rate does a field agent earn per account recovered?")
    assert not answer.covered, answer.answer
    # a figure the pack holds is still answered
    answer = ask(pack, "What is the maximum discount a supervisor can give on a credit card?")
    assert answer.covered and "25%" in answer.answer, answer.answer


def test_when_no_plan_fits_the_answer_gives_the_pause(pack):
    answer = ask(pack, "英国客户哪个方案都负担不了，催收要先停多久？")
    assert "30 天" in first_sentence(answer.answer), answer.answer


def test_a_computed_answer_is_followed_by_its_sections_detail(pack):
    """The workplace rule is computed ("不可以，除非…"); what to tell the security guard is the next
    sentence of the same section, which the computed answer alone left out."""
    answer = ask(pack, "在东莞工厂门口，保安问我们来干嘛的，能说是来催款的吗？")
    assert first_sentence(answer.answer).startswith("不可以"), answer.answer
    assert "与客户有约" in answer.answer and "不说明来意" in answer.answer, answer.answer


def test_a_case_named_by_id_gets_its_figures_computed_from_the_case_file(pack):
    """"Run the numbers on UK-001": the calculator's figures for the case file, not a refusal."""
    import datetime as dt

    from visitcoach.corpus.cases import load_case
    from visitcoach.corpus.pack import load_plan_policy
    from visitcoach.repayment.calc import assess, inputs_from_case

    expected = assess(inputs_from_case(load_case(SHIPPED, "UK-001"), dt.date.today()), load_plan_policy(SHIPPED))
    answer = ask(pack, "Run the numbers on UK-001 for me — disposable income and the max instalment.")
    first = first_sentence(answer.answer)
    assert answer.covered and first.startswith("UK-001:"), answer.answer
    assert f"{expected.disposable_income:,.2f}" in first and f"{expected.affordable:,.2f}" in first


def test_a_question_about_a_named_case_is_answered_with_the_policy_that_governs_it(pack):
    """A case file's fields no longer fill the ranking: the question is answered, not refused."""
    answer = ask(pack, "US-010: he rang and wants to hammer out a deal with me on the spot. Can I?")
    assert answer.covered and answer.answer.startswith("US-010:"), answer.answer
    ranked = [r["doc_id"] for r in answer.understood["ranked"]]
    assert "US-010" in ranked and any(not d.startswith(("US-", "UK-", "CN-")) for d in ranked)


@pytest.mark.parametrize("question", [
    "Customer's in Boston. How many calls a week can we make to him?",
    "个人信息违规要是情节严重，公司最多罚多少？我们经手的个人呢？",
])
def test_a_place_or_a_word_outside_the_figure_asked_does_not_make_a_question_unknown(pack, question):
    assert ask(pack, question).covered


@pytest.mark.parametrize("question", [
    "What's the mileage rate for field visits in Boston?",
    "Sydney-based borrower: what does ASIC's guideline say about home visits?",
])
def test_what_the_pack_does_not_hold_is_still_declined(pack, question):
    assert not ask(pack, question).covered


def test_sections_are_ranked_by_their_closest_sentence_too(pack):
    """`qa.meaning`: a family's signal is its closest sentence's cosine with the question, so the
    section that holds a sentence saying what the question asks rises, whatever words it shares."""
    from visitcoach.ask import Engine

    engine = Engine.of(pack)
    sections, meaning = engine.sections, engine.meaning
    assert meaning is not None and len(meaning.matrix) > 1000  # every quotable sentence of the pack
    said = "No more than three staff attend, because a group at the door can itself intimidate."
    closeness = meaning.closeness(pack.embedder.embed_queries([said])[0])
    [family] = {s.family for s in sections.by_citation("Field Visit Policy §5.1")}
    assert closeness[family] == 1.0 and sorted(closeness.values(), reverse=True).index(1.0) == 0
    assert min(closeness.values()) == 0.0  # unrelated sections get nothing, not a little


def test_no_sentence_vectors_are_asked_of_a_remote_embedding_model():
    """With a remote embedding endpoint the `meaning` signal is left out, rather than sending every
    sentence of the pack to it at the first question."""
    from types import SimpleNamespace

    from visitcoach.qa.meaning import meaning_for

    remote = SimpleNamespace(index=SimpleNamespace(embedder=SimpleNamespace(name="openai:text-embedding-3-small")))
    assert meaning_for(remote) is None  # type: ignore[arg-type]


def test_a_which_case_question_quotes_the_case_even_when_its_ranked_fields_hold_only_tags(pack):
    """The case's fields ranked first (preferences, scenario tags) have nothing quotable; the answer
    quotes the case's other fields instead of declining. (Which case is chosen is the ranking's job.)"""
    answer = ask(pack, "英国有没有借款人照顾患失智症的母亲、书面要求不要上门的案例？")
    assert answer.covered and re.match(r"UK-\d{3}：", answer.answer), answer.answer


def test_a_question_answered_by_a_computed_fact_is_not_declined_for_a_word_of_its_trigger(pack):
    """"壮壮声势" matched the staffing topic (trigger 壮声势); its noun 声势, which no document uses,
    is not an unknown subject."""
    answer = ask(pack, "能不能多叫几个同事一起去壮壮声势？")
    assert answer.covered and first_sentence(answer.answer).startswith("不可以"), answer.answer


def test_a_question_naming_a_case_quotes_the_case_files_instructions(tmp_path):
    """CASE_SENTENCES: beyond the rule that answers first, the named case's own best sentences follow
    (its notes say how to handle that borrower: 如确需面谈，只能约在借款人同意的公共场所). The whole
    shipped pack, case files included, is ingested (its sentence vectors ship, so this is quick)."""
    from visitcoach.ingest import ingest
    from visitcoach.qa import compose

    settings = make_settings(tmp_path / "data", SHIPPED)
    ingest(settings)
    pack = KnowledgeIndex(settings)
    question = "CN-008 厂里人事已经发函禁止催收了，我们在厂门口等他下班总可以吧？"
    assert "借款人同意的公共场所" in ask(pack, question).answer
    saved, compose.CASE_SENTENCES = compose.CASE_SENTENCES, 0
    try:
        without = ask(pack, question).answer
    finally:
        compose.CASE_SENTENCES = saved
    assert "借款人同意的公共场所" not in without


def test_a_quoted_sentence_is_tidied_for_the_reader():
    from visitcoach.qa.compose import _tidy

    assert _tidy("催收员察觉异常，未谈还款即结束拜访并上报 result: aborted", "zh") == "催收员察觉异常，未谈还款即结束拜访并上报。"
    assert _tidy("不合规说法：「明天就起诉你。」", "zh") == "不合规说法：「明天就起诉你。」"  # already ended
    assert _tidy("Never visit a hospital", "en") == "Never visit a hospital"


def test_uk_debt_advice_bodies_mark_a_sentence_as_the_uks():
    """A sentence naming MoneyHelper or StepChange is about the UK: it is not quoted for another country."""
    from visitcoach.qa.compose import sentence_label

    assert sentence_label("Refer the customer to free debt advice such as MoneyHelper or StepChange.") == "UK"
    assert sentence_label("Refer the customer to free debt advice.") is None


def test_a_law_cited_in_brackets_does_not_make_a_group_rule_one_countrys():
    """"不接受任何还款（CONC 7.3.4 R 要求…）" is the group's rule with its reason; a country named in
    brackets, or a law cited outside them, still marks the sentence as that country's."""
    from visitcoach.qa.compose import sentence_label

    assert sentence_label("客户出现上述迹象时，不接受任何还款（CONC 7.3.4 R 要求对客户给予宽容）。") is None
    assert sentence_label("Never threaten arrest (15 U.S.C. 1692e(4)).") is None
    assert sentence_label("If life is at risk, call emergency services (911 in the US).") == "US"
    assert sentence_label("CONC 7.9.4 R forbids contact at unreasonable times.") == "UK"


def test_with_no_country_named_group_policy_opens_before_one_countrys_law(pack):
    """GROUP_OPENING_DEPTH: the sheriff question names no country; the UK's AJA s.40 ranks above the
    group policy, but an answer for every country opens with the group rule."""
    answer = ask(pack, "Guy keeps dodging us. Can I tell him the sheriff will come pick him up if he doesn't pay?")
    first = answer.citations[0].as_dict()
    chunk = pack.chunk(first["chunk_id"])
    assert chunk.metadata.get("jurisdiction") == "ALL", answer.answer[:200]


@pytest.mark.parametrize("question", [
    "customer's in Belfast — how long does the Northern Ireland version of breathing space last?",
    "limitation period for a simple contract debt in Northern Ireland?",
    "英国北爱尔兰的客户，诉讼时效是多久？",
])
def test_a_figure_for_a_uk_nation_the_law_quoted_does_not_cover_is_not_given(pack, question):
    """The pack's breathing space and limitation periods are England and Wales's: giving their 60
    days or six years for Northern Ireland would answer for the wrong nation."""
    assert not ask(pack, question).covered


@pytest.mark.parametrize(("question", "fact"), [
    ("What is the limitation period for a card debt in Scotland?", "five-year"),  # the section covers Scotland too
    ("Belfast customer, can we visit at 8.30pm?", "20:00"),  # CONC and the group window apply UK-wide
    ("How long does a standard breathing space last?", "60 days"),
])
def test_a_uk_nation_the_law_covers_or_a_rule_that_applies_everywhere_is_answered(pack, question, fact):
    answer = ask(pack, question)
    assert answer.covered and fact in answer.answer


def test_a_detail_a_named_case_file_does_not_hold_is_not_answered_from_the_file(pack):
    """"CN-010 的案号是多少？": the case file has no court number; quoting its notes would read as
    if it did. A computed answer for a named case still stands, whatever else the words ask."""
    assert not ask(pack, "CN-010 的案号是多少，承办法官是谁？").covered
    assert ask(pack, "US-001 Rosa: what's her affordable monthly on the policy formula?").covered


@pytest.mark.parametrize("question", [
    "按照个人信息保护法，外访时能不能拍客户家门牌？",  # the title inside a longer run of characters
    "What does the Fair Debt Collection Practices Act say about visiting at work?",
    "What Act covers home visits in the UK?",
])
def test_a_law_the_pack_carries_is_not_taken_for_an_unknown_one(pack, question):
    assert pack.search(question, 5).unknown_provision is None


@pytest.mark.parametrize(("question", "rule"), [
    ("春节初三客户自己说那天在家让我们过去，可以去吗？下午三点", "法定节假日"),
    ("Chicago customer, Thanksgiving Day, everyone's home — can we go at 2pm?", "public holidays"),
])
def test_a_visit_on_a_holiday_gets_the_holiday_rule_beside_the_window(pack, question, rule):
    answer = ask(pack, question)
    assert answer.covered and rule in answer.answer


def test_a_computed_chinese_answer_quotes_the_tables_for_the_product_and_china(pack):
    """A Chinese question naming no country gets China's computed figures, and its quoted tables are
    cut to that product's row and China's columns, not every product in three currencies."""
    answer = ask(pack, "小微企业贷款客户，可支配收入算下来1600，能做常规分期吗？做不了怎么办")
    assert "CNY 800.00" in answer.answer and "CNY 1000.00" in answer.answer
    assert "USD" not in answer.answer and "consumer_loan" not in answer.answer


def test_a_computed_catch_up_quotes_the_formula_not_the_worked_example(pack):
    """The policy's §3.1 example has other figures (1,200 + 3,600 ÷ n ≤ 1,700): quoted after the
    computed catch-up it would read as the customer's plan."""
    answer = ask(pack, "合同月供 300，逾期 2000，可负担月供算出来是 650。逾期款分几个月补齐？每月还多少？")
    opening = answer.answer.split("[2]")[0]
    assert "CNY 633.33" in opening and "R ÷ n" in opening and "1,700" not in opening


@pytest.mark.parametrize(("question", "opens", "says"), [
    ("Columbus, Ohio customer. We'd reach the door about 8.50pm and these usually take 20 mins. Go or no go?", "No. 20:50", "from knocking to leaving"),
    ("深圳的客户，我们晚上九点四十左右能到，一般要聊半小时，还来得及吗", "不可以。21:40", "从敲门到离开"),
    ("customer in Cardiff works nights, sleeps till about 2pm. is a 9am knock fine?", "Not at a time", "due regard"),
])
def test_a_time_inside_the_window_is_not_a_yes_when_the_visit_overruns_or_the_customer_called_it_inconvenient(pack, question, opens, says):
    answer = ask(pack, question)
    assert answer.answer.startswith(opens) and says in answer.answer


@pytest.mark.parametrize(("question", "covered"), [
    ("公司给外访员买意外险吗？", False),  # staff benefits: no rule of the pack answers it
    ("客户说要申请个人破产，破产程序期间我们还能上门吗", False),
    ("his bonus is 500 a month, salary 3000 and expenses 2000, what can he afford?", True),  # the customer's pay
    ("Can I threaten him with bankruptcy if he doesn't pay?", True),  # a threat, which the pack does govern
])
def test_a_question_mainly_about_a_topic_the_pack_does_not_cover_is_declined(pack, question, covered):
    assert ask(pack, question).covered is covered


@pytest.mark.parametrize(("question", "example"), [
    ("How much discount can a supervisor give on a credit card in the US?", "Worked example"),
    ("逾期3个月，欠款5000，每月能还多少", "3,600"),  # the example's second sentence: 满足 1,200 + 3,600 ÷ n ≤ 1,700 …
])
def test_a_worked_example_with_other_figures_is_not_quoted_as_the_answer(pack, question, example):
    assert example not in ask(pack, question).answer


def test_a_list_of_case_flags_is_quoted_only_for_the_flags_asked_about(pack):
    answer = ask(pack, "Customer asked us to stop visiting, can we still call?").answer
    assert "cease_requested" in answer and "employer_prohibits_contact" not in answer and "time_barred" not in answer

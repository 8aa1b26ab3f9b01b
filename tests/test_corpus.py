"""Loading and chunking: front matter, citations, every file type, and bad input."""

from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visitcoach.corpus import chunk_document, discover, load_document
from visitcoach.errors import KnowledgeError
from visitcoach.text import split_sentences
from visitcoach.tokens import count_tokens

from .conftest import FIXTURE_CORPUS

GOOD = """---
id: doc-a
title: A policy
doc_type: policy
jurisdiction: ALL
lang: en
citation: Field Visit Policy
---
# A policy

## §4 Windows

### §4.2 Hours

Between 08:00 and 21:00.

### Legal note {cite="15 U.S.C. 1692c(a)(1)" confidence="S"}

Secondary source summary.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_sections_carry_heading_path_and_citation(tmp_path):
    doc = load_document(write(tmp_path / "a.md", GOOD))
    by_title = {s.heading_path[-1]: s for s in doc.sections}
    assert by_title["§4.2 Hours"].citation == "Field Visit Policy §4.2"
    assert by_title["§4.2 Hours"].heading_path == ["A policy", "§4 Windows", "§4.2 Hours"]
    assert by_title["Legal note"].citation == "15 U.S.C. 1692c(a)(1)"
    assert by_title["Legal note"].confidence == "S"


def test_chunks_have_stable_ids_and_metadata(tmp_path):
    path = write(tmp_path / "a.md", GOOD)
    first = chunk_document(load_document(path), 200, "a.md")
    second = chunk_document(load_document(path), 200, "a.md")
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    hours = next(c for c in first if c.citation == "Field Visit Policy §4.2")
    assert hours.metadata["doc_id"] == "doc-a"
    assert hours.metadata["section"].endswith("§4.2 Hours")
    assert hours.metadata["source"] == "a.md"


def test_editing_one_section_keeps_the_other_ids(tmp_path):
    path = write(tmp_path / "a.md", GOOD)
    before = {c.citation: c.id for c in chunk_document(load_document(path), 200, "a.md")}
    write(path, GOOD.replace("Between 08:00 and 21:00.", "Between 08:00 and 20:00 only."))
    after = {c.citation: c.id for c in chunk_document(load_document(path), 200, "a.md")}
    assert before == after  # ids follow the heading path, so the manifest can diff by id


@settings(max_examples=25, deadline=None)
@given(
    paragraphs=st.lists(
        st.text(alphabet=st.sampled_from(list("abcdefgh 。，借款人外访时间.!?\n")), min_size=1, max_size=400),
        min_size=1,
        max_size=8,
    ),
    budget=st.integers(min_value=64, max_value=300),
)
def test_chunks_respect_the_token_budget_and_lose_no_text(tmp_path_factory, paragraphs, budget):
    body = "\n\n".join(paragraphs)
    if not body.strip():
        return
    path = write(
        tmp_path_factory.mktemp("h") / "p.md",
        "---\nid: p\ntitle: P\ndoc_type: policy\njurisdiction: ALL\nlang: en\n---\n" + body,
    )
    try:
        doc = load_document(path)
    except KnowledgeError:
        return  # whitespace-only bodies are rejected, which is right
    chunks = chunk_document(doc, budget, "p.md")
    for chunk in chunks:
        assert count_tokens(chunk.text) <= budget
    squashed = "".join("".join(c.text.split()) for c in chunks)
    assert squashed == "".join(body.split())


def test_sentence_split_understands_chinese_and_english():
    assert split_sentences("外访须双人进行。不得进入住宅！Visit by day. Leave when asked.") == [
        "外访须双人进行。",
        "不得进入住宅！",
        "Visit by day.",
        "Leave when asked.",
    ]


def test_a_colon_list_joined_by_semicolons_is_one_quotable_sentence():
    from visitcoach.text import LIST_SENTENCE, readable_sentences

    assert readable_sentences("不得在以下地点找客户：医院、诊所；学校；宗教场所；葬礼。在英国亦然。") == [
        "不得在以下地点找客户：医院、诊所；学校；宗教场所；葬礼。",
        "在英国亦然。",
    ]
    assert readable_sentences("先核实身份；再出示证件。") == ["先核实身份；", "再出示证件。"]  # no colon: clauses apart
    long = "须记录：" + "；".join(["很长的一项内容" * 6] * 8) + "。"
    assert len(long) > LIST_SENTENCE and len(readable_sentences(long)) == 8  # too long to quote whole


def test_a_straight_quote_after_a_full_stop_opens_the_next_sentence_unless_it_closes_one():
    from visitcoach.text import readable_sentences

    assert readable_sentences('Call instead. "Impracticable" means no channel works.') == [
        "Call instead.", '"Impracticable" means no channel works.',
    ]
    assert readable_sentences('He shouted "Stop!" Then he left.') == ['He shouted "Stop!"', "Then he left."]  # it closes one
    assert readable_sentences("她说：“好的。”然后走了。") == ["她说：“好的。”然后走了。"]


def test_yaml_case_is_validated_and_rendered(tmp_path):
    doc = load_document(FIXTURE_CORPUS / "cases" / "cn-001.yaml")
    assert doc.meta.doc_type == "case"
    assert doc.record.balance.as_tuple()  # a Decimal
    assert any("现金流紧张" in s.text for s in doc.sections)


def test_docx_headings_become_sections(tmp_path):
    path = tmp_path / "legal" / "uk" / "memo.docx"
    path.parent.mkdir(parents=True)
    d = docx.Document()
    d.add_heading("Visiting memo", level=1)
    d.add_heading("Doorstep", level=2)
    d.add_paragraph("Leave when the customer asks you to leave.")
    d.save(str(path))
    write(path.with_name("memo.docx.meta.yaml"), "citation: CONC 7.9.14 R\nconfidence: C\n")
    doc = load_document(path, tmp_path)
    assert doc.meta.doc_type == "legal" and doc.meta.jurisdiction == "UK"
    assert doc.sections[0].heading_path == ["Visiting memo", "Doorstep"]
    assert doc.sections[0].citation == "CONC 7.9.14 R"


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (Helvetica), built by hand with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_pages_become_sections(tmp_path):
    path = write(tmp_path / "policy" / "memo.pdf", _tiny_pdf("Two collectors attend every visit."))
    write(path.with_name("memo.pdf.meta.yaml"), "title: Staffing memo\ncitation: Staffing Memo\n")
    doc = load_document(path, tmp_path)
    assert doc.meta.title == "Staffing memo" and doc.meta.lang == "en"
    assert "Two collectors" in doc.sections[0].text
    assert doc.sections[0].heading_path == ["p. 1"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.md", "---\nid: x\ntitle: [unclosed\n---\nbody", r"broken\.md:3: broken front matter"),
        ("unclosed.md", "---\nid: x\ntitle: y\nbody text", r"no closing '---'"),
        ("unknown.md", GOOD.replace("lang: en", "lang: en\nowner: me"), r"field 'owner': unknown field"),
        ("badtype.md", GOOD.replace("doc_type: policy", "doc_type: memo"), r"field 'doc_type'"),
        ("badattr.md", GOOD.replace('cite="15', 'cit="15'), r"heading attributes"),
        ("empty.md", GOOD.split("# A policy")[0], r"document has no text"),
        ("case.yaml", "id: CN-999\ndoc_type: case\n", r"case\.yaml: field '\w+': required field is missing"),
        ("yamlbroken.yaml", "id: [1,\n", r"broken YAML"),
        ("kind.yaml", "id: a\ndoc_type: recipe\n", r"field 'doc_type': unknown doc_type"),
        ("legal.md", GOOD.replace("doc_type: policy", "doc_type: legal"), r"legal documents need 'confidence'"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, name, content, expected):
    path = write(tmp_path / name, content)
    with pytest.raises(KnowledgeError, match=expected) as info:
        load_document(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_non_utf8_file_names_file_and_line(tmp_path):
    path = write(tmp_path / "gbk.md", b"---\nid: g\n---\n" + "第一行\n外访".encode("gbk"))
    with pytest.raises(KnowledgeError, match=r"gbk\.md:4: not UTF-8"):
        load_document(path)


def test_bad_case_field_names_the_field(tmp_path):
    text = (
        (FIXTURE_CORPUS / "cases" / "cn-001.yaml")
        .read_text(encoding="utf-8")
        .replace('balance: "38000.00"', "balance: 38000.5")
    )
    with pytest.raises(KnowledgeError, match=r"field 'balance': .*not a float"):
        load_document(write(tmp_path / "c.yaml", text))


def test_discover_skips_rules_and_data_files(tmp_path):
    write(tmp_path / "rules" / "r.yaml", "a: 1")
    write(tmp_path / "policy" / "plan_policy.yaml", "a: 1")
    write(tmp_path / "README.md", "# about")
    keep = write(tmp_path / "policy" / "p.md", GOOD)
    assert discover(tmp_path) == [keep]


def test_missing_knowledge_dir_is_a_clear_error(tmp_path):
    with pytest.raises(KnowledgeError, match="VISITCOACH_KNOWLEDGE_DIR"):
        discover(tmp_path / "nope")


def test_sentence_split_keeps_legal_abbreviations_whole():
    text = "Under 15 U.S.C. 1692c(a)(1) visits are limited. See e.g. Regulation F. AJA 1970 s. 40 applies."
    assert split_sentences(text) == [
        "Under 15 U.S.C. 1692c(a)(1) visits are limited.",
        "See e.g. Regulation F.",
        "AJA 1970 s. 40 applies.",
    ]


def test_readable_sentences_rejoin_wrapped_lines_and_drop_markup():
    from visitcoach.text import readable_sentences

    text = (
        "For field visits: keep visits between 08:00 and 21:00 at the\nborrower's location.\n\n"
        "- **Compliant**: leave when asked.\n- 合规说法：「晚上十点以后我们不上门。」\n\n外访须双人\n进行。"
    )
    assert readable_sentences(text) == [
        "For field visits: keep visits between 08:00 and 21:00 at the borrower's location.",
        "Compliant: leave when asked.",
        "合规说法：「晚上十点以后我们不上门。」",
        "外访须双人进行。",
    ]


def test_the_separators_between_packed_paragraphs_count_against_the_budget():
    """Forty one-token paragraphs fit 64 tokens only if the blank lines between them are not counted."""
    from visitcoach.corpus.chunking import _pack

    chunks = _pack(["a"] * 40, 64)
    assert all(count_tokens(c) <= 64 for c in chunks)
    assert "".join(chunks).replace("\n", "") == "a" * 40

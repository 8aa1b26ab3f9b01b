"""Downloads: a brief or a draft as Markdown, or as a PDF (reportlab, no font files needed).

Chinese text uses the standard CID font STSong-Light, which PDF readers supply, so nothing is
downloaded or bundled; Latin text uses Helvetica.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape


def _styles(lang: str):  # noqa: ANN202 - reportlab stylesheet
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    font = "Helvetica"
    if lang == "zh":
        if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        font = "STSong-Light"
    sheet = getSampleStyleSheet()
    for name in ("Normal", "Heading1", "Heading2", "Code"):
        sheet[name].fontName = font
        if lang == "zh":
            sheet[name].wordWrap = "CJK"
    sheet["Code"].fontSize = 8
    return sheet


def markdown_to_pdf(markdown: str, path: Path, lang: str = "en", title: str = "visitcoach") -> Path:
    """A simple, faithful PDF of the Markdown the app shows (headings, bullets, code blocks, paragraphs)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, Preformatted, SimpleDocTemplate, Spacer

    sheet = _styles(lang)
    story = []
    in_code, code = False, []
    for line in markdown.splitlines():
        if line.startswith("```"):
            if in_code:
                story.append(Preformatted("\n".join(code), sheet["Code"]))
                code = []
            in_code = not in_code
            continue
        if in_code:
            code.append(line)
            continue
        text = escape(line)
        text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
        if line.startswith("# "):
            story.append(Paragraph(text[2:], sheet["Heading1"]))
        elif line.startswith("## "):
            story.append(Paragraph(text[3:], sheet["Heading2"]))
        elif line.strip():
            story.append(Paragraph(text, sheet["Normal"]))
        else:
            story.append(Spacer(1, 4))
    if code:
        story.append(Preformatted("\n".join(code), sheet["Code"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    SimpleDocTemplate(str(path), pagesize=A4, title=title, author="visitcoach").build(story)
    return path

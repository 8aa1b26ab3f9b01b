"""The eval report as one self-contained HTML page: inline CSS, inline SVG charts, no external URLs."""

from __future__ import annotations

import json
from html import escape
from typing import Any

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #dde;padding-bottom:4px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #dde;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#116b2f;font-weight:600}.fail{color:#b00020;font-weight:600}
tr.regression td{background:#fde7ea;color:#b00020}tr.improvement td{background:#e7f6ec}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff}.badge.pass{background:#1a7f3c}.badge.fail{background:#b00020}
pre{background:#f7f7fa;padding:6px;white-space:pre-wrap;max-height:260px;overflow:auto;font-size:12px;margin:0}
.muted{color:#667}.charts{display:flex;flex-wrap:wrap;gap:24px}
"""

PALETTE = ("#3b6fd8", "#e08a2e", "#3aa57a", "#a05ad1", "#d04f5f", "#6b7a8f")


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def bar_chart(title: str, groups: list[tuple[str, dict[str, float]]], series: list[str], vmax: float = 1.0) -> str:
    """Horizontal grouped bars as inline SVG: one group per label, one bar per series."""
    if not groups or not series:
        return ""
    bar, gap, label_w, width = 12, 10, 190, 300
    group_h = bar * len(series) + gap
    legend_h = 18 * len(series)
    height = 28 + group_h * len(groups) + legend_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + width + 60}" height="{height}" '
        f'font-size="11" font-family="system-ui,sans-serif"><title>{escape(title)}</title>',
        f'<text x="0" y="14" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    y = 26
    for label, values in groups:
        parts.append(f'<text x="0" y="{y + group_h / 2}" dominant-baseline="middle">{escape(label[:32])}</text>')
        for i, name in enumerate(series):
            v = values.get(name)
            w = 0 if v is None else max(0.0, min(1.0, v / vmax)) * width
            by = y + i * bar
            parts.append(f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar - 2}" fill="{PALETTE[i % len(PALETTE)]}"/>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{by + bar / 2}" dominant-baseline="middle">{_fmt(v)}</text>')
        y += group_h
    for i, name in enumerate(series):
        ly = y + 4 + 18 * i
        parts.append(f'<rect x="{label_w}" y="{ly}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{label_w + 18}" y="{ly + 10}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[Any]], row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(
            f'<td class="num">{_fmt(c)}</td>' if isinstance(c, int | float) and not isinstance(c, bool) else f"<td>{c if isinstance(c, _Raw) else _fmt(c)}</td>"
            for c in row
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Raw(str):
    """HTML that is already escaped."""


def _summary_table(summary: dict[str, Any]) -> str:
    limits = {t["metric"]: t for t in summary["thresholds"]}
    diff = {d["metric"]: d for d in (summary.get("baseline") or {}).get("diff", [])}
    rows, classes = [], []
    for metric, value in summary["metrics"].items():
        t, d = limits.get(metric), diff.get(metric)
        limit = f"{'≥' if t['kind'] == 'min' else '≤'} {t['limit']:.3f}" if t else ""
        status = _Raw(f'<span class="{"pass" if t["passed"] else "fail"}">{"pass" if t["passed"] else "FAIL"}</span>') if t else ""
        rows.append([metric, value, limit, status, d["baseline"] if d else None, f"{d['delta']:+.4f}" if d else ""])
        classes.append("regression" if d and d["regression"] else "improvement" if d and d["improvement"] else "")
    return _table(["metric", "value", "threshold", "gate", "baseline", "Δ"], rows, classes)


def _baselines(summary: dict[str, Any]) -> str:
    m = summary["metrics"]
    out = []
    methods = [x for x in ("hybrid", "dense_langchain", "bm25") if any(k.startswith(f"retrieval.{x}.") for k in m)]
    if methods:
        names = sorted({k.split(".", 2)[2] for k in m if k.startswith("retrieval.hybrid.")})
        out.append("<h3>Retrieval: hybrid vs dense-only (LangChain Chroma) vs BM25-only</h3>")
        out.append(_table(["method", *names], [[x, *[m.get(f"retrieval.{x}.{n}") for n in names]] for x in methods]))
        out.append(bar_chart("Retrieval by method", [(x, {n: m.get(f"retrieval.{x}.{n}") for n in names}) for x in methods], names))
    variants = [v for v in ("all_layers", "phrase_only") if any(k.startswith(f"compliance.{v}.") for k in m)]
    if variants:
        out.append("<h3>Compliance checker: all layers vs the phrase layer alone</h3>")
        cols = ["micro_precision", "micro_recall", "micro_f1", "false_positive_rate"]
        rows = [[f"{v} / {s}", *[m.get(f"compliance.{v}.{s}.{c}") for c in cols]] for v in variants for s in ("dev", "test", "all")]
        out.append(_table(["variant / split", *cols], rows))
    return "".join(out)


def _per_category(summary: dict[str, Any]) -> str:
    per = (summary.get("tables", {}).get("compliance") or {}).get("per_category")
    if not per:
        return ""
    out = ["<h2>Per category (compliance)</h2>"]
    for split in ("test", "dev"):
        full, phrase = per.get(f"all_layers.{split}", {}), per.get(f"phrase_only.{split}", {})
        rows = [
            [c, v["support"], v["precision"], v["recall"], v["f1"], phrase.get(c, {}).get("f1")]
            for c, v in full.items()
        ]
        out.append(f"<h3>{'held-out test' if split == 'test' else 'dev'} split</h3>")
        out.append(_table(["category", "support", "precision", "recall", "F1 (all layers)", "F1 (phrase only)"], rows))
        if split == "test":
            out.append(bar_chart(
                "F1 per category, test split",
                [(c, {"all layers": v["f1"], "phrase only": phrase.get(c, {}).get("f1")}) for c, v in full.items() if v["support"]],
                ["all layers", "phrase only"],
            ))
    return "".join(out)


def _per_group(summary: dict[str, Any], key: str, title: str) -> str:
    data = summary["breakdowns"].get(key, {})
    out = [f"<h2>{escape(title)}</h2>"]
    charts = []
    for suite, scores in data.items():
        groups = sorted({g for v in scores.values() for g in v})
        if not scores:
            continue
        out.append(f"<h3>{escape(suite)}</h3>")
        out.append(_table(["score", *groups], [[name, *[vals.get(g) for g in groups]] for name, vals in scores.items()]))
        if key == "by_lang" and len(groups) > 1:
            names = list(scores)[:6]
            charts.append(bar_chart(f"{suite} by language", [(n, {g: scores[n].get(g) for g in groups}) for n in names], groups))
    if charts:
        out.append(f'<div class="charts">{"".join(charts)}</div>')
    return "".join(out)


def _worst(summary: dict[str, Any]) -> str:
    rows = summary.get("worst") or []
    if not rows:
        return "<h2>Worst failures</h2><p class='muted'>No failing rows.</p>"
    out = ["<h2>Worst failures</h2>"]
    table_rows = [
        [w["suite"], w["id"], w["lang"] or "", f"{w['score']} = {w['value']:.3f}", w["reason"],
         _Raw(f"<pre>{escape(json.dumps(w['input'], ensure_ascii=False, indent=1, default=str)[:1500])}</pre>"),
         _Raw(f"<pre>{escape(json.dumps(w['output'], ensure_ascii=False, indent=1, default=str)[:2500])}</pre>")]
        for w in rows
    ]
    out.append(_table(["suite", "id", "lang", "score", "reason", "input", "output"], table_rows))
    return "".join(out)


def _baseline_diff(summary: dict[str, Any]) -> str:
    base = summary.get("baseline")
    if not base:
        return "<h2>Baseline diff</h2><p class='muted'>No baseline given (use --baseline REPORT).</p>"
    diff = base["diff"]
    regressions = base["regressions"]
    head = (
        f"<h2>Baseline diff</h2><p>Against {escape(str(base.get('path')))} ({escape(str(base.get('created')))}): "
        + (f'<span class="fail">{len(regressions)} regression(s)</span>' if regressions else '<span class="pass">no regressions</span>')
        + "</p>"
    )
    rows = [[d["metric"], d["baseline"], d["current"], f"{d['delta']:+.4f}", "REGRESSION" if d["regression"] else "better" if d["improvement"] else ""] for d in diff]
    classes = ["regression" if d["regression"] else "improvement" if d["improvement"] else "" for d in diff]
    return head + _table(["metric", "baseline", "current", "Δ", ""], rows, classes)


def render_html(summary: dict[str, Any]) -> str:
    gate = summary["passed"]
    failed = [t["metric"] for t in summary["thresholds"] if not t["passed"]]
    rows = ", ".join(f"{k} {v}" for k, v in summary["rows"].items())
    skipped = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in summary.get("skipped", {}).items())
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>visitcoach eval report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>visitcoach eval report <span class='badge {'pass' if gate else 'fail'}'>{'gate passed' if gate else 'gate failed'}</span></h1>",
        f"<p class='muted'>{escape(summary['created'])} · mode {escape(summary['mode'])} · rows: {escape(rows)} · "
        f"{summary['seconds'].get('total', 0):.1f} s</p>",
        f"<p class='fail'>Below threshold: {escape(', '.join(failed))}</p>" if failed else "",
        f"<p>Skipped:</p><ul>{skipped}</ul>" if skipped else "",
        "<h2>Summary</h2>",
        _summary_table(summary),
        "<h2>Baselines side by side</h2>",
        _baselines(summary),
        _per_category(summary),
        _per_group(summary, "by_lang", "Per language"),
        _per_group(summary, "by_jurisdiction", "Per jurisdiction"),
        _worst(summary),
        _baseline_diff(summary),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)

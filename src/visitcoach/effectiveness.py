"""Visit effectiveness: are field visits worth it? Pure functions over case files (merged with history).

Figures (every one carries its sample size `n`):

- recovery rate: money paid in the `window_days` after an index date divided by the case's arrears,
  and the same in the `window_days` before it, averaged over cases. Visited cases: the index date is
  the first visit. Remote-only cases (no visit): the first recorded contact plus the median number
  of days from first contact to first visit among visited cases of the same jurisdiction (all
  jurisdictions when it has none), so both groups are measured at the same point of the collection
  timeline, not a remote case at its very first call against a visited case weeks later;
- cost-benefit: recovered (paid in the window after the first visit) per unit of visit cost (visits
  in that window), by jurisdiction, product and segment, always within one currency;
- promise-kept rate of promises made on a visit day or up to 7 days after, against all other promises;
- post-visit survey: mean satisfaction (1-5) and the share who felt respected;
- complaints per 100 visits (a visit with `complaint: true` or result `complaint`).

The comparisons are observational; `method_text` states the method and its limits for the page.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from visitcoach.config import Settings
from visitcoach.corpus.schemas import CaseFile, PlanPolicy, Visit
from visitcoach.errors import ConfigError, VisitCoachError
from visitcoach.text import JURISDICTIONS

DEFAULT_WINDOW_DAYS = 90
PROMISE_AFTER_VISIT_DAYS = 7
JURISDICTION_ORDER = JURISDICTIONS
ZERO = Decimal("0")
RATE = Decimal("0.0001")
CENT = Decimal("0.01")


def _q(value: Decimal | None, step: Decimal = RATE) -> str | None:
    return None if value is None else str(value.quantize(step, ROUND_HALF_UP))


def _share(k: int, n: int) -> dict[str, Any]:
    return {"k": k, "n": n, "rate": _q(Decimal(k) / n) if n else None}


@dataclass(frozen=True)
class CaseRecovery:
    """One case's recovery figures around its index date."""

    case: CaseFile
    group: str  # visited | remote
    index_date: dt.date
    index_basis: str  # first_visit | first_contact+<days>d
    paid_before: Decimal
    paid_after: Decimal

    @property
    def rate_before(self) -> Decimal | None:
        return self.paid_before / self.case.arrears if self.case.arrears > 0 else None

    @property
    def rate_after(self) -> Decimal | None:
        return self.paid_after / self.case.arrears if self.case.arrears > 0 else None


def first_visit(case: CaseFile) -> dt.date | None:
    return min((v.date for v in case.previous_visits), default=None)


def first_contact(case: CaseFile) -> dt.date | None:
    return min((c.date for c in case.contact_history), default=None)


def paid_between(case: CaseFile, start: dt.date, end: dt.date) -> Decimal:
    """Payments with start <= date < end."""
    return sum((p.amount for p in case.payments if start <= p.date < end), ZERO)


def visits_in_window(case: CaseFile, start: dt.date, days: int) -> list[Visit]:
    end = start + dt.timedelta(days=days)
    return [v for v in case.previous_visits if start <= v.date < end]


def contact_to_visit_days(cases: Iterable[CaseFile]) -> dict[str, list[int]]:
    """Days from first recorded contact to first visit, per jurisdiction, over visited cases."""
    out: dict[str, list[int]] = {}
    for case in cases:
        visit, contact = first_visit(case), first_contact(case)
        if visit is not None and contact is not None:
            out.setdefault(case.jurisdiction, []).append(max(0, (visit - contact).days))
    return out


def remote_index_offset(gaps: dict[str, list[int]], jurisdiction: str) -> int:
    """Median (lower) days from first contact to first visit in this jurisdiction, else overall, else 0."""
    own = gaps.get(jurisdiction) or [d for ds in gaps.values() for d in ds]
    return statistics.median_low(own) if own else 0


def recoveries(cases: list[CaseFile], window_days: int) -> tuple[list[CaseRecovery], list[dict[str, str]]]:
    """Each case's recovery around its index date; cases without a usable date are listed as excluded."""
    gaps = contact_to_visit_days(cases)
    window = dt.timedelta(days=window_days)
    out: list[CaseRecovery] = []
    excluded: list[dict[str, str]] = []
    for case in cases:
        visit = first_visit(case)
        if visit is not None:
            index, group, basis = visit, "visited", "first_visit"
        else:
            contact = first_contact(case)
            if contact is None:
                excluded.append({"case_id": case.id, "reason": "no visit and no recorded contact to date it"})
                continue
            offset = remote_index_offset(gaps, case.jurisdiction)
            index, group, basis = contact + dt.timedelta(days=offset), "remote", f"first_contact+{offset}d"
        if case.arrears <= 0:
            excluded.append({"case_id": case.id, "reason": "no arrears on file"})
            continue
        out.append(
            CaseRecovery(
                case=case,
                group=group,
                index_date=index,
                index_basis=basis,
                paid_before=paid_between(case, index - window, index),
                paid_after=paid_between(case, index, index + window),
            )
        )
    return out, excluded


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, ZERO) / len(values) if values else None


def _recovery_summary(rows: list[CaseRecovery]) -> dict[str, Any]:
    before = [r.rate_before for r in rows if r.rate_before is not None]
    after = [r.rate_after for r in rows if r.rate_after is not None]
    return {
        "n": len(rows),
        "before": _q(_mean(before)),
        "after": _q(_mean(after)),
        "paying_after": _share(sum(1 for r in rows if r.paid_after > 0), len(rows)),
    }


def _jur_rank(j: str) -> int:
    return JURISDICTION_ORDER.index(j) if j in JURISDICTION_ORDER else len(JURISDICTION_ORDER)


def _ordered(keys: Iterable[str]) -> list[str]:
    return sorted(set(keys), key=lambda j: (_jur_rank(j), j))


def segment_at(case: CaseFile, day: dt.date, policy: PlanPolicy | None) -> str:
    """The calculator's segment (ability_willingness) as of `day`; `unknown` without a plan policy."""
    if policy is None:
        return "unknown"
    from visitcoach.repayment.calc import assess, inputs_from_case

    try:
        return assess(inputs_from_case(case, day), policy).segment
    except VisitCoachError:
        return "unknown"


def _cost_rows(items: list[tuple[tuple[str, ...], CaseRecovery, list[Visit]]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[tuple[CaseRecovery, list[Visit]]]] = {}
    for key, rec, visits in items:
        groups.setdefault(key, []).append((rec, visits))
    rows = []
    for key in sorted(groups, key=lambda k: (_jur_rank(k[0]), k)):
        members = groups[key]
        recovered = sum((r.paid_after for r, _ in members), ZERO)
        cost = sum((v.cost for _, vs in members for v in vs), ZERO)
        rows.append({
            **dict(zip(names, key, strict=True)),
            "currency": members[0][0].case.currency,
            "n_cases": len(members),
            "n_visits": sum(len(vs) for _, vs in members),
            "recovered": _q(recovered, CENT),
            "cost": _q(cost, CENT),
            # None, not infinity, when the visits cost nothing on record (e.g. follow-ups without a cost).
            "recovered_per_unit_cost": _q(recovered / cost, CENT) if cost > 0 else None,
        })
    return rows


def _promises(cases: list[CaseFile]) -> tuple[list[tuple[CaseFile, bool]], list[tuple[CaseFile, bool]]]:
    after: list[tuple[CaseFile, bool]] = []
    other: list[tuple[CaseFile, bool]] = []
    near = dt.timedelta(days=PROMISE_AFTER_VISIT_DAYS)
    for case in cases:
        for p in case.promises:
            hit = any(v.date <= p.made_on <= v.date + near for v in case.previous_visits)
            (after if hit else other).append((case, p.kept))
    return after, other


def _complained(v: Visit) -> bool:
    return v.complaint or v.result == "complaint"


def _by_jurisdiction(cases: list[CaseFile], fn: Callable[[list[CaseFile]], dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"jurisdiction": j, **fn([c for c in cases if c.jurisdiction == j])} for j in _ordered(c.jurisdiction for c in cases)]


def _promise_block(cases: list[CaseFile]) -> dict[str, Any]:
    after, other = _promises(cases)
    return {
        "after_visit": _share(sum(k for _, k in after), len(after)),
        "other": _share(sum(k for _, k in other), len(other)),
    }


def _survey_block(cases: list[CaseFile]) -> dict[str, Any]:
    surveys = [v.survey for c in cases for v in c.previous_visits if v.survey is not None]
    respected = [s.felt_respected for s in surveys if s.felt_respected is not None]
    mean = Decimal(sum(s.satisfaction for s in surveys)) / len(surveys) if surveys else None
    return {
        "visits": sum(len(c.previous_visits) for c in cases),
        "n": len(surveys),
        "mean_satisfaction": _q(mean, CENT),
        "felt_respected": _share(sum(respected), len(respected)),
    }


def _complaint_block(cases: list[CaseFile]) -> dict[str, Any]:
    visits = [v for c in cases for v in c.previous_visits]
    complaints = sum(1 for v in visits if _complained(v))
    return {
        "complaints": complaints,
        "visits": len(visits),
        "per_100_visits": _q(Decimal(complaints * 100) / len(visits), CENT) if visits else None,
    }


def effectiveness(
    cases: list[CaseFile],
    *,
    policy: PlanPolicy | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    jurisdiction: str | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """Every figure of the report as JSON-ready data (amounts and rates as decimal strings)."""
    if window_days < 1:
        raise ConfigError(f"--days (the window, VISITCOACH_EFFECT_WINDOW_DAYS) must be at least 1, not {window_days}")
    if lang not in ("zh", "en"):
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    if jurisdiction:
        jurisdiction = jurisdiction.upper()
        if jurisdiction not in JURISDICTION_ORDER:
            raise ConfigError(f"--jurisdiction must be one of {', '.join(JURISDICTION_ORDER)}, not {jurisdiction!r}")
        cases = [c for c in cases if c.jurisdiction == jurisdiction]
    recs, excluded = recoveries(cases, window_days)
    visited = [r for r in recs if r.group == "visited"]
    remote = [r for r in recs if r.group == "remote"]

    by_jur = []
    for j in _ordered(r.case.jurisdiction for r in recs):
        for group, rows in (("visited", visited), ("remote", remote)):
            own = [r for r in rows if r.case.jurisdiction == j]
            by_jur.append({"jurisdiction": j, "group": group, **_recovery_summary(own)})

    cost_items = [(r, visits_in_window(r.case, r.index_date, window_days)) for r in visited]
    segments = {r.case.id: segment_at(r.case, r.index_date, policy) for r in visited}
    return {
        "window_days": window_days,
        "jurisdiction": jurisdiction or "ALL",
        "lang": lang,
        "cases": {"total": len(cases), "visited": len(visited), "remote_only": len(remote), "excluded": excluded},
        "recovery": {
            "visited": _recovery_summary(visited),
            "remote": _recovery_summary(remote),
            "by_jurisdiction": by_jur,
            "cases": [
                {
                    "case_id": r.case.id,
                    "jurisdiction": r.case.jurisdiction,
                    "group": r.group,
                    "index_date": r.index_date.isoformat(),
                    "index_basis": r.index_basis,
                    "currency": r.case.currency,
                    "arrears": _q(r.case.arrears, CENT),
                    "paid_before": _q(r.paid_before, CENT),
                    "paid_after": _q(r.paid_after, CENT),
                    "rate_before": _q(r.rate_before),
                    "rate_after": _q(r.rate_after),
                }
                for r in recs
            ],
        },
        "cost_benefit": {
            "by_jurisdiction": _cost_rows([((r.case.jurisdiction,), r, vs) for r, vs in cost_items], ("jurisdiction",)),
            "by_product": _cost_rows(
                [((r.case.jurisdiction, r.case.product), r, vs) for r, vs in cost_items], ("jurisdiction", "product")
            ),
            "by_segment": _cost_rows(
                [((r.case.jurisdiction, segments[r.case.id]), r, vs) for r, vs in cost_items], ("jurisdiction", "segment")
            ),
        },
        "promises": {**_promise_block(cases), "by_jurisdiction": _by_jurisdiction(cases, _promise_block)},
        "satisfaction": {**_survey_block(cases), "by_jurisdiction": _by_jurisdiction(cases, _survey_block)},
        "complaints": {**_complaint_block(cases), "by_jurisdiction": _by_jurisdiction(cases, _complaint_block)},
        "method": method_text(lang, window_days),
    }


_METHOD = {
    "en": (
        "**Method.** Recovery rate = money paid in the {days} days after an index date ÷ the case's arrears on "
        "file, averaged over cases (and the same for the {days} days before, as a baseline). Visited cases: the "
        "index date is the first visit. Remote-only cases: the first recorded contact plus the median number of "
        "days from first contact to first visit among visited cases of the same jurisdiction, so both groups are "
        "measured at a comparable point of the collection timeline. Cost-benefit = money recovered in the {days} "
        "days after the first visit ÷ the cost of the visits in that period, per jurisdiction in its own currency "
        "(currencies are never added together), by product and by segment (the plan calculator's segment on the "
        "day of the first visit). Promise-kept rate: promises made on a visit day or up to "
        "{promise_days} days after, against all other promises. Satisfaction: post-visit survey answers (1–5). "
        "Complaints per 100 visits: visits with a complaint recorded.\n\n"
        "**Limits.** These comparisons are observational, not an experiment: cases were not assigned to visits at "
        "random, and visited cases differ from remote-only ones (selection bias: remote-only cases here are mostly those where a "
        "visit was not allowed, e.g. a dispute), so a difference is not the effect of the visit. Samples are small "
        "— read every figure with its n. Arrears are the amount on file, not the amount on the index date; "
        "payments after the last recorded date are not seen; survey answers come only from customers who chose "
        "to answer."
    ),
    "zh": (
        "**方法。** 回款率 = 基准日后 {days} 天内的还款 ÷ 案件档案中的逾期金额，按案件取平均（基准日前 {days} "
        "天同样计算，作为对照）。有外访的案件：基准日为首次外访日。仅远程处理的案件：基准日为首次联系记录日加上"
        "同一法域有外访案件“首次联系到首次外访”天数的中位数，使两组在催收进程的可比时点上比较。成本收益 = 首次外访后 "
        "{days} 天内的回款 ÷ 同期外访成本，按法域以各自币种计算（不同币种从不相加），并按产品和客户分层（还款方案"
        "计算器在首次外访日的分层）列示。承诺兑现率：外访当天或其后 {promise_days} 天内作出的承诺，与其他承诺对比。"
        "满意度：外访后问卷（1–5 分）。每百次外访投诉数：记录了投诉的外访次数。\n\n"
        "**局限。** 以上对比均为观察性数据，并非实验：案件并非随机分配是否外访，有外访的案件与仅远程处理的案件本身不同"
        "（选择偏差：此处仅远程处理的案件多为不允许上门的情形，如存在争议），因此差异不能归因于外访本身。样本量很小，"
        "每个数字都应结合其样本量 n 解读。逾期金额取档案中的数字，而非基准日当天的金额；最后记录日之后的还款无法看到；"
        "问卷只来自愿意作答的客户。"
    ),
}


def method_text(lang: str, window_days: int = DEFAULT_WINDOW_DAYS) -> str:
    """The method and its limits, in Markdown, in `lang` (zh or en)."""
    return _METHOD["zh" if lang == "zh" else "en"].format(days=window_days, promise_days=PROMISE_AFTER_VISIT_DAYS)


CSV_COLUMNS = ("section", "jurisdiction", "currency", "group", "metric", "value", "n")


def csv_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report as long-format rows: one figure per row with its sample size."""
    rows: list[dict[str, Any]] = []

    def add(section: str, metric: str, value: Any, n: Any, jurisdiction: str = "ALL", currency: str = "", group: str = "") -> None:
        rows.append({"section": section, "jurisdiction": jurisdiction, "currency": currency, "group": group,
                     "metric": metric, "value": "" if value is None else value, "n": n})

    rec = report["recovery"]
    for group in ("visited", "remote"):
        s = rec[group]
        add("recovery", "rate_before", s["before"], s["n"], group=group)
        add("recovery", "rate_after", s["after"], s["n"], group=group)
    for s in rec["by_jurisdiction"]:
        add("recovery", "rate_before", s["before"], s["n"], s["jurisdiction"], group=s["group"])
        add("recovery", "rate_after", s["after"], s["n"], s["jurisdiction"], group=s["group"])
    for key, section in (("by_jurisdiction", "cost_benefit"), ("by_product", "cost_benefit_product"),
                         ("by_segment", "cost_benefit_segment")):
        for r in report["cost_benefit"][key]:
            group = r.get("product") or r.get("segment") or ""
            for metric in ("recovered", "cost", "recovered_per_unit_cost"):
                add(section, metric, r[metric], r["n_cases"], r["jurisdiction"], r["currency"], group)
    for block, jur in [(report["promises"], "ALL"), *((b, b["jurisdiction"]) for b in report["promises"]["by_jurisdiction"])]:
        for group in ("after_visit", "other"):
            add("promises", "kept_rate", block[group]["rate"], block[group]["n"], jur, group=group)
    for block, jur in [(report["satisfaction"], "ALL"), *((b, b["jurisdiction"]) for b in report["satisfaction"]["by_jurisdiction"])]:
        add("satisfaction", "mean_satisfaction", block["mean_satisfaction"], block["n"], jur)
        add("satisfaction", "felt_respected_rate", block["felt_respected"]["rate"], block["felt_respected"]["n"], jur)
    for block, jur in [(report["complaints"], "ALL"), *((b, b["jurisdiction"]) for b in report["complaints"]["by_jurisdiction"])]:
        add("complaints", "per_100_visits", block["per_100_visits"], block["visits"], jur)
    return rows


def write_csv(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_rows(report))
    return path


def load_cases(settings: Settings) -> list[CaseFile]:
    """Every case of the knowledge pack, with the post-visit records of the history database merged in."""
    from visitcoach.corpus.cases import all_cases
    from visitcoach.prep.history import CaseHistory

    history = CaseHistory(settings.data_dir / "history.sqlite")
    return [history.merged(c) for c in all_cases(settings.knowledge_dir)]


def report(settings: Settings, *, window_days: int | None = None, jurisdiction: str | None = None, lang: str = "en") -> dict[str, Any]:
    """The effectiveness report over the configured knowledge pack and history."""
    from visitcoach.corpus.pack import load_plan_policy

    return effectiveness(
        load_cases(settings),
        policy=load_plan_policy(settings.knowledge_dir),
        window_days=settings.effect_window_days if window_days is None else window_days,
        jurisdiction=jurisdiction,
        lang=lang,
    )


_L: dict[str, dict[str, str]] = {
    "title": {"en": "Visit effectiveness", "zh": "外访成效"},
    "scope": {
        "en": "{j}; {days}-day window; {total} cases: {visited} visited, {remote} remote-only, {excluded} excluded.",
        "zh": "{j}；观察窗口 {days} 天；共 {total} 个案件：有外访 {visited} 个，仅远程 {remote} 个，排除 {excluded} 个。",
    },
    "recovery": {"en": "Recovery rate (paid ÷ arrears, mean over cases)", "zh": "回款率（还款 ÷ 逾期金额，按案件平均）"},
    "recovery_cols": {
        "en": "| jurisdiction | group | n | before | after | cases paying after |",
        "zh": "| 法域 | 组别 | n | 基准日前 | 基准日后 | 其后有还款的案件 |",
    },
    "visited": {"en": "visited", "zh": "有外访"},
    "remote": {"en": "remote-only", "zh": "仅远程"},
    "cost": {"en": "Cost-benefit (recovered per unit of visit cost, in each currency)", "zh": "成本收益（每单位外访成本的回款，各币种分列）"},
    "cost_cols": {
        "en": "| jurisdiction | breakdown | group | cases | visits | recovered | cost | recovered per unit cost |",
        "zh": "| 法域 | 维度 | 分组 | 案件数 | 外访次数 | 回款 | 成本 | 每单位成本回款 |",
    },
    "all": {"en": "all", "zh": "全部"},
    "product": {"en": "product", "zh": "产品"},
    "segment": {"en": "segment", "zh": "客户分层"},
    "promises": {"en": "Promises kept", "zh": "承诺兑现率"},
    "promise_cols": {
        "en": "| jurisdiction | made at or within 7 days after a visit | other promises |",
        "zh": "| 法域 | 外访当天或其后 7 天内作出 | 其他承诺 |",
    },
    "satisfaction": {"en": "Post-visit survey", "zh": "外访后问卷"},
    "satisfaction_cols": {
        "en": "| jurisdiction | answers / visits | mean satisfaction (1–5) | felt respected |",
        "zh": "| 法域 | 作答数 / 外访次数 | 平均满意度（1–5） | 感到被尊重 |",
    },
    "complaints": {"en": "Complaints", "zh": "投诉"},
    "complaint_cols": {
        "en": "| jurisdiction | complaints | visits | per 100 visits |",
        "zh": "| 法域 | 投诉数 | 外访次数 | 每百次外访 |",
    },
    "total": {"en": "all", "zh": "合计"},
    "na": {"en": "n/a", "zh": "无"},
}


def _pct(rate: str | None, na: str) -> str:
    return na if rate is None else f"{Decimal(rate) * 100:.2f}%"  # exact: rates carry 4 decimals


def _kn(share: dict[str, Any], na: str) -> str:
    if not share["n"]:
        return f"{na} (0/0)"
    return f"{Decimal(share['k'] * 100) / share['n']:.1f}% ({share['k']}/{share['n']})"


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables in the report's language, every figure with its n."""
    lang = "zh" if report.get("lang") == "zh" else "en"

    def L(key: str) -> str:
        return _L[key][lang]

    na = L("na")
    cases = report["cases"]
    scope = L("all") if report["jurisdiction"] == "ALL" else report["jurisdiction"]
    out = [f"## {L('title')}", "", L("scope").format(j=scope, days=report["window_days"], total=cases["total"],
           visited=cases["visited"], remote=cases["remote_only"], excluded=len(cases["excluded"])), ""]
    out += [f"### {L('recovery')}", "", L("recovery_cols"), "|---|---|---|---|---|---|"]
    rec = report["recovery"]
    for group in ("visited", "remote"):
        s = rec[group]
        out.append(f"| {L('total')} | {L(group)} | {s['n']} | {_pct(s['before'], na)} | {_pct(s['after'], na)} | {_kn(s['paying_after'], na)} |")
    for s in rec["by_jurisdiction"]:
        out.append(f"| {s['jurisdiction']} | {L(s['group'])} | {s['n']} | {_pct(s['before'], na)} | {_pct(s['after'], na)} | {_kn(s['paying_after'], na)} |")
    out += ["", f"### {L('cost')}", "", L("cost_cols"), "|---|---|---|---|---|---|---|---|"]
    for key, by in (("by_jurisdiction", "all"), ("by_product", "product"), ("by_segment", "segment")):
        for r in report["cost_benefit"][key]:
            group = r.get("product") or r.get("segment") or "—"
            per = r["recovered_per_unit_cost"] or na
            out.append(f"| {r['jurisdiction']} | {L(by)} | {group} | {r['n_cases']} | {r['n_visits']} | "
                       f"{r['currency']} {r['recovered']} | {r['currency']} {r['cost']} | {per} |")
    out += ["", f"### {L('promises')}", "", L("promise_cols"), "|---|---|---|"]
    pr = report["promises"]
    for b, j in [(pr, L("total")), *((b, b["jurisdiction"]) for b in pr["by_jurisdiction"])]:
        out.append(f"| {j} | {_kn(b['after_visit'], na)} | {_kn(b['other'], na)} |")
    out += ["", f"### {L('satisfaction')}", "", L("satisfaction_cols"), "|---|---|---|---|"]
    sa = report["satisfaction"]
    for b, j in [(sa, L("total")), *((b, b["jurisdiction"]) for b in sa["by_jurisdiction"])]:
        out.append(f"| {j} | {b['n']} / {b['visits']} | {b['mean_satisfaction'] or na} | {_kn(b['felt_respected'], na)} |")
    out += ["", f"### {L('complaints')}", "", L("complaint_cols"), "|---|---|---|---|"]
    co = report["complaints"]
    for b, j in [(co, L("total")), *((b, b["jurisdiction"]) for b in co["by_jurisdiction"])]:
        out.append(f"| {j} | {b['complaints']} | {b['visits']} | {b['per_100_visits'] or na} |")
    out += ["", report["method"], ""]
    return "\n".join(out)

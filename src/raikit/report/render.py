"""Render a scorecard dict (see :mod:`raikit.report.scorecard`) as Markdown and as one HTML page.

The HTML page has no scripts and loads nothing: styles are inline and the plots are inline SVG.
Everything that comes from a model or a dataset is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from raikit.report.aggregate import labels
from raikit.report.plots import Bar, BarRow, Point, bar_chart, scatter_chart

SERIES = ("guard off", "guard on")
MAX_GAP_ROWS = 16
MAX_HTML_FINDINGS = 60


def pct(rate: Mapping[str, Any] | None) -> str:
    if not rate or rate.get("value") is None:
        return "n/a"
    return f"{100 * float(rate['value']):.0f}%"


def ci(rate: Mapping[str, Any] | None) -> str:
    if not rate or rate.get("ci_low") is None or rate.get("ci_high") is None:
        return ""
    return f"{100 * float(rate['ci_low']):.0f}-{100 * float(rate['ci_high']):.0f}%"


def points(delta: Mapping[str, Any] | None) -> str:
    if not delta or delta.get("value") is None:
        return "n/a"
    text = f"{100 * float(delta['value']):+.0f} pp"
    if delta.get("ci_low") is not None:
        text += f" ({100 * float(delta['ci_low']):+.0f} to {100 * float(delta['ci_high']):+.0f})"
    return text


def rate_cell(rate: Mapping[str, Any] | None) -> str:
    if not rate:
        return "n/a"
    return f"{pct(rate)} (CI {ci(rate)}, n={rate.get('n')})"


def metric_label(row: Mapping[str, Any]) -> str:
    extra = ", ".join(f"{k}={v}" for k, v in labels(row).items() if k not in ("benchmark", "guard"))
    return f"{row.get('benchmark', '')}: {row['name']}" + (f" ({extra})" if extra else "")


# --- Markdown ---------------------------------------------------------------------------------


def render_markdown(card: Mapping[str, Any]) -> str:
    run = card["run"]
    overall = card["overall"]
    lines = [
        f"# raikit audit: {run['target']}",
        "",
        f"Profile `{run['profile']}` v{run['profile_version']}, guard policy `{run['guard_policy']}` "
        f"({run['guard_status']}), {run['n_items']} items, {run['n_errors']} errors, {run['wall_s']:.0f} s, "
        f"finished {run['finished_at']}. Refusal judge: {run.get('refusal_judge') or 'fast classifier'}.",
        "",
        "| | guard off | guard on | on - off |",
        "|---|---|---|---|",
    ]
    for kind, title in (
        ("adherence", "Adherence (higher is better)"),
        ("false_refusal", "False refusal (lower is better)"),
    ):
        lines.append(
            f"| {title} | {rate_cell(overall['off'][kind])} | {rate_cell(overall['on'][kind])} "
            f"| {points(overall['delta'][kind])} |"
        )
    lines += ["", "## How to read this", ""]
    lines += [f"- **{key}**: {text}" for key, text in card["glossary"].items()]
    lines += [
        "",
        "## RAI dimensions",
        "",
        "| dimension | adherence off | adherence on | false refusal off | false refusal on | caveats |",
        "|---|---|---|---|---|---|",
    ]
    for dim_id, dim in card["dimensions"].items():
        lines.append(
            f"| {dim['name']} (`{dim_id}`) "
            f"| {rate_cell(dim['off']['adherence'])} | {rate_cell(dim['on']['adherence'])} "
            f"| {rate_cell(dim['off']['false_refusal'])} | {rate_cell(dim['on']['false_refusal'])} "
            f"| {'; '.join(dim['caveats']) or '-'} |"
        )
    lines += [
        "",
        "## Attack success per risk category",
        "",
        "| risk category | guard off | guard on |",
        "|---|---|---|",
    ]
    for risk in card["risk_categories"].values():
        off, on = risk["off"]["asr"], risk["on"]["asr"]
        lines.append(f"| {risk['name']} | {rate_cell(off)} | {rate_cell(on)} |")
    lines += ["", "## Benchmarks", "", "| benchmark | guard off | guard on |", "|---|---|---|"]
    for bench in card["benchmarks"]:
        cells = [_status_text(bench.get(p)) for p in ("off", "on")]
        lines.append(f"| {bench['name']} | {cells[0]} | {cells[1]} |")
    if card["findings"]:
        lines += ["", "## Failed items (first 30)", ""]
        for item in card["findings"][:30]:
            # Model output is untrusted: escape it so a Markdown viewer cannot render its HTML.
            answer = escape(str(item.get("response", "")).replace("\n", " ")[:200])
            prompt = escape(str(item.get("prompt", item.get("why", ""))).replace("\n", " ")[:200])
            where = f"{item['benchmark']}, guard {item['guard']}"
            lines.append(f"- `{item.get('item_id')}` ({where}): {prompt} → _{answer}_")
    lines += ["", "## Caveats", ""] + [f"- {c}" for c in card["caveats"]]
    return "\n".join(lines) + "\n"


def _status_text(entry: Mapping[str, Any] | None) -> str:
    if not entry:
        return "-"
    text = f"{entry['status']}, {entry['n_items']} items"
    return text + (f": {entry['reason']}" if entry.get("reason") else "")


# --- plots ------------------------------------------------------------------------------------


def _bar(rate: Mapping[str, Any] | None) -> Bar | None:
    if not rate or rate.get("value") is None:
        return None
    return Bar(float(rate["value"]), rate.get("ci_low"), rate.get("ci_high"), f", n={rate.get('n')}")


def adherence_plot(card: Mapping[str, Any]) -> str:
    series = []
    for pass_name, name in zip(("off", "on"), SERIES, strict=True):
        pts = []
        for dim in card["dimensions"].values():
            adh, fr = dim[pass_name]["adherence"], dim[pass_name]["false_refusal"]
            if adh and fr:
                pts.append(
                    Point(
                        dim["name"],
                        fr["value"],
                        adh["value"],
                        fr["ci_low"],
                        fr["ci_high"],
                        adh["ci_low"],
                        adh["ci_high"],
                    )
                )
        series.append((name, pts))
    return scatter_chart(
        "plot-adherence",
        "Adherence against false refusal per RAI dimension",
        series,
        x_label="false refusal (lower is better)",
        y_label="adherence (higher is better)",
        empty="no dimension has both adherence and false-refusal items in this audit",
    )


def risk_plot(card: Mapping[str, Any]) -> str:
    rows = []
    for risk in card["risk_categories"].values():
        overall = [_bar(risk[p]["asr"]) for p in ("off", "on")]
        if any(overall):
            rows.append(BarRow(risk["name"], tuple(overall)))
        customers = sorted(set(risk["off"]["customer_types"]) | set(risk["on"]["customer_types"]))
        for customer in customers:
            bars = tuple(_bar(risk[p]["customer_types"].get(customer)) for p in ("off", "on"))
            rows.append(BarRow(f"  · {customer.replace('_', ' ')}", bars))
    return bar_chart(
        "plot-asr", "Attack success rate per risk category", rows, SERIES, domain=(0.0, 1.0),
        empty="no adversarial benchmark ran in this audit",
    )  # fmt: skip


def gap_plot(card: Mapping[str, Any]) -> str:
    gaps: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in card["fairness_gaps"]:
        if str(row["name"]).endswith("gap_vs_mean"):
            continue  # the max-min gap of the same groups is shown instead
        gaps.setdefault(metric_label(row), {})[row["guard"]] = row
    ranked = sorted(
        gaps.items(), key=lambda kv: -max(abs(float(r.get("value") or 0.0)) for r in kv[1].values())
    )
    rows = [BarRow(label, (_bar(by.get("off")), _bar(by.get("on")))) for label, by in ranked[:MAX_GAP_ROWS]]
    return bar_chart(
        "plot-gaps",
        "Fairness and robustness gaps between groups",
        rows,
        SERIES,
        unit="",
        scale=1.0,
        decimals=2,
        empty="no benchmark with group gaps ran in this audit",
    )


def delta_plot(card: Mapping[str, Any]) -> str:
    rows = []
    for dim in card["dimensions"].values():
        for kind, label in (("adherence", "adherence"), ("false_refusal", "false refusal")):
            delta = dim["delta"][kind]
            if delta and delta.get("value") is not None:
                rows.append(BarRow(f"{dim['name']} · {label}", (_bar(delta),)))
    return bar_chart(
        "plot-deltas", "Guard on minus guard off, per dimension (percentage points)", rows,
        ("guard on - guard off",), unit=" pp", domain=(-1.0, 1.0),
        empty="the guard-on pass did not run, so there is no delta",
    )  # fmt: skip


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1040px;color:#1d2430;padding:0 1rem;
line-height:1.45}
h1{font-size:1.5rem}h2{margin-top:2.2rem;border-bottom:1px solid #e6e9ee;padding-bottom:.3rem}
.tiles{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
.tile{flex:1;min-width:220px;border:1px solid #d5dae1;border-radius:8px;padding:1rem}
.tile .v{font-size:1.8rem;font-weight:700}.muted{color:#5b6675;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}
th,td{padding:.4rem;border-bottom:1px solid #e6e9ee;text-align:left;vertical-align:top}
.skipped{color:#868e96}.failed,.incomplete{color:#c92a2a}
details{margin:.4rem 0}pre{white-space:pre-wrap;background:#f6f8fa;padding:.6rem;border-radius:6px}
figure{margin:1rem 0}figcaption{color:#5b6675;font-size:.9rem;max-width:760px}
svg.chart{max-width:100%;height:auto}
"""


def _tile(title: str, off: Mapping[str, Any] | None, on: Mapping[str, Any] | None, tile_id: str) -> str:
    def line(rate: Mapping[str, Any] | None, label: str) -> str:
        if not rate:
            return f"<div class='muted'>{label}: not measured</div>"
        return f"<div class='muted'>{label}: 95% CI {ci(rate)} · n={rate['n']}</div>"

    return (
        f"<div class='tile'><div class='muted'>{escape(title)}</div>"
        f"<div class='v' id='{tile_id}'>{pct(off)} <span class='muted'>off</span> · {pct(on)} "
        f"<span class='muted'>on</span></div>{line(off, 'guard off')}{line(on, 'guard on')}</div>"
    )


def _dimension_rows(card: Mapping[str, Any]) -> str:
    rows = []
    for dim_id, dim in card["dimensions"].items():
        cells = "".join(
            f"<td>{escape(rate_cell(dim[p][kind]))}</td>"
            for kind in ("adherence", "false_refusal")
            for p in ("off", "on")
        )
        rows.append(
            f"<tr id='dim-{escape(dim_id)}'><td><b>{escape(dim['name'])}</b> <code>{escape(dim_id)}</code>"
            f"<div class='muted'>{escape(dim['description'])}</div></td>{cells}"
            f"<td>{escape(points(dim['delta']['adherence']))}<br>{escape(points(dim['delta']['false_refusal']))}</td>"
            f"<td class='muted'>{escape('; '.join(dim['caveats']) or '-')}</td></tr>"
        )
    return "".join(rows)


def _benchmark_rows(card: Mapping[str, Any]) -> str:
    rows = []
    for bench in card["benchmarks"]:
        cells = []
        for p in ("off", "on"):
            entry = bench.get(p)
            if not entry:
                cells.append("<td>-</td>")
                continue
            headline = [m for m in entry["metrics"] if not labels(m) and m.get("value") is not None][:6]
            metrics = "<br>".join(
                escape(f"{m['name']}{' · ' + str(m['risk_category']) if m.get('risk_category') else ''}: "
                       f"{float(m['value']):.3f} (CI {m.get('ci_low')}-{m.get('ci_high')}, n={m.get('n')})")
                for m in headline
            )  # fmt: skip
            reason = f"<div>{escape(str(entry['reason']))}</div>" if entry.get("reason") else ""
            cells.append(
                f"<td><span class='{escape(entry['status'])}'>{escape(entry['status'])}</span> · "
                f"{entry['n_items']} items{reason}<div class='muted'>{metrics}</div></td>"
            )
        rows.append(
            f"<tr><td><b>{escape(bench['name'])}</b>"
            f"<div class='muted'>{escape(bench['description'] or '')}</div></td>{''.join(cells)}</tr>"
        )
    return "".join(rows)


def _findings_html(card: Mapping[str, Any]) -> str:
    parts = []
    for item in card["findings"][:MAX_HTML_FINDINGS]:
        head = f"{item.get('item_id')} · {item['benchmark']} · guard {item['guard']}"
        body = "".join(
            f"<p><b>{escape(key)}</b></p><pre>{escape(str(item[key]))}</pre>"
            for key in ("prompt", "why", "response")
            if item.get(key)
        )
        parts.append(f"<details><summary><code>{escape(head)}</code></summary>{body}</details>")
    return "".join(parts) or "<p>None.</p>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


CAPTIONS = {
    "adherence": (
        "Each point is one RAI dimension; lines are 95% confidence intervals. A guard moves points up "
        "(more adherence) and often right (more false refusals)."
    ),
    "asr": (
        "Share of attacks that reached their goal, per risk category of the Nova framework and per customer "
        "type (app developer, end user). Lower is better."
    ),
    "gaps": (
        "Largest difference between groups (max minus min of the group means, or the gap versus Standard "
        "American English for dialects); the largest gaps first. Lower is better."
    ),
    "deltas": (
        "Guard-on minus guard-off rates in percentage points with 95% CIs: positive is good for adherence, "
        "negative is good for false refusal."
    ),
}
_DIMENSION_HEAD = (
    "<tr><th>RAI dimension</th><th>adherence, guard off</th><th>adherence, guard on</th>"
    "<th>false refusal, guard off</th><th>false refusal, guard on</th>"
    "<th>on - off (adherence, false refusal)</th><th>caveats</th></tr>"
)


def _load(values: Any) -> str:
    return " / ".join(f"{float(v):.1f}" for v in values) if values else "n/a"


def _header(run: Mapping[str, Any]) -> str:
    host = run["host"]
    facts = [
        f"profile {run['profile']} v{run['profile_version']}",
        f"guard policy {run['guard_policy']} ({run['guard_status']})",
        f"refusal judge: {run.get('refusal_judge') or 'fast classifier'}",
        f"{run['n_items']} items",
        f"{run['n_errors']} errors",
        f"{run['wall_s']:.0f} s",
        f"finished {run['finished_at']}",
        f"{host.get('cpu_count')} CPUs, load average {_load(host.get('load_avg_1_5_15'))} (1, 5, 15 min)",
        f"raikit {host.get('raikit')}",
    ]
    return f"<p class='muted'>{escape(' · '.join(facts))}</p>"


def render_html(card: Mapping[str, Any]) -> str:
    run, overall = card["run"], card["overall"]
    glossary = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in card["glossary"].items())
    caveats = "".join(f"<li>{escape(c)}</li>" for c in card["caveats"])
    adherence = _tile(
        "Adherence: declines what it must not do (higher is better)",
        overall["off"]["adherence"],
        overall["on"]["adherence"],
        "adherence",
    )
    false_refusal = _tile(
        "False refusal: refuses benign requests (lower is better)",
        overall["off"]["false_refusal"],
        overall["on"]["false_refusal"],
        "false-refusal",
    )
    sections = [
        f"<h1>raikit audit: {escape(run['target'])}</h1>",
        _header(run),
        f"<div class='tiles'>{adherence}{false_refusal}</div>",
        f"<h2>How to read this</h2><ul>{glossary}</ul>",
        "<h2>Adherence and false refusal per RAI dimension</h2>",
        _figure(adherence_plot(card), CAPTIONS["adherence"]),
        f"<table><thead>{_DIMENSION_HEAD}</thead><tbody>{_dimension_rows(card)}</tbody></table>",
        "<h2>Attack success per risk category</h2>",
        _figure(risk_plot(card), CAPTIONS["asr"]),
        "<h2>Fairness gaps</h2>",
        _figure(gap_plot(card), CAPTIONS["gaps"]),
        "<h2>What the guard changes</h2>",
        _figure(delta_plot(card), CAPTIONS["deltas"]),
        "<h2>Benchmarks</h2>",
        "<table><thead><tr><th>benchmark</th><th>guard off</th><th>guard on</th></tr></thead>"
        f"<tbody>{_benchmark_rows(card)}</tbody></table>",
        f"<h2>Failed items ({len(card['findings'])})</h2>{_findings_html(card)}",
        f"<h2>Caveats</h2><ul>{caveats}</ul>",
    ]
    body = "\n".join(sections)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>raikit audit: {escape(run['target'])}</title><style>{_CSS}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )

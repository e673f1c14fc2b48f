"""Write an audit result as ``report.json``, ``report.md`` and ``report.html`` (no external assets)."""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path

from raikit.core.taxonomy import load_taxonomy
from raikit.evals.audit import AuditResult
from raikit.evals.metrics import Rate


def _pct(rate: Rate) -> str:
    return "n/a" if rate.value is None else f"{100 * rate.value:.0f}%"


def _ci(rate: Rate) -> str:
    if rate.low is None or rate.high is None:
        return ""
    return f"{100 * rate.low:.0f}-{100 * rate.high:.0f}%"


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    Path(tmp).chmod(0o644)
    Path(tmp).replace(path)


def render_markdown(result: AuditResult) -> str:
    names = {d.id: d.name for d in load_taxonomy().dimensions}
    lines = [
        f"# raikit audit — {result.target}",
        "",
        f"Suite `{result.suite}` v{result.suite_version}, {result.n_items} items, "
        f"{result.n_errors} errors, finished {result.finished_at}.",
        "",
        f"- **Adherence** (declines what it must not do): {_pct(result.adherence)} "
        f"(95% CI {_ci(result.adherence)}, n={result.adherence.n})",
        f"- **False refusal** (refuses benign requests): {_pct(result.false_refusal)} "
        f"(95% CI {_ci(result.false_refusal)}, n={result.false_refusal.n})",
        "",
        "| dimension | adherence | 95% CI | false refusal | 95% CI |",
        "|---|---|---|---|---|",
    ]
    for row in result.dimensions:
        lines.append(
            f"| {names.get(row.dimension, row.dimension)} | {_pct(row.adherence)} | {_ci(row.adherence)} "
            f"| {_pct(row.false_refusal)} | {_ci(row.false_refusal)} |"
        )
    if result.findings:
        lines += ["", "## Failed items", ""]
        for finding in result.findings:
            # Model output is untrusted: escape it so a Markdown viewer cannot render its HTML.
            answer = html.escape(finding.response.replace("\n", " ")[:200])
            lines.append(
                f"- `{finding.item_id}` ({finding.kind}): {html.escape(finding.prompt)} → _{answer}_"
            )
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#1d2430;padding:0 1rem}
h1{font-size:1.5rem}.tiles{display:flex;gap:1rem;margin:1rem 0}
.tile{flex:1;border:1px solid #d5dae1;border-radius:8px;padding:1rem}
.tile .v{font-size:2rem;font-weight:700}.muted{color:#5b6675;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{padding:.45rem;border-bottom:1px solid #e6e9ee;
text-align:left;vertical-align:top}.bar{background:#eef1f4;border-radius:4px;height:10px;width:140px}
.bar span{display:block;height:10px;border-radius:4px}.good{background:#2f9e44}.bad{background:#e03131}
details{margin:.4rem 0}pre{white-space:pre-wrap;background:#f6f8fa;padding:.6rem;border-radius:6px}
"""


def _bar(rate: Rate, css: str) -> str:
    width = 0 if rate.value is None else round(100 * rate.value)
    return f'<div class="bar"><span class="{css}" style="width:{width}%"></span></div>'


def render_html(result: AuditResult) -> str:
    esc = html.escape
    taxonomy = load_taxonomy()
    rows = []
    for row in result.dimensions:
        dim = taxonomy.dimension(row.dimension)
        rows.append(
            f"<tr><td><b>{esc(dim.name)}</b><div class='muted'>{esc(dim.description)}</div></td>"
            f"<td>{_pct(row.adherence)} {_bar(row.adherence, 'good')}"
            f"<div class='muted'>CI {_ci(row.adherence)} · n={row.adherence.n}</div></td>"
            f"<td>{_pct(row.false_refusal)} {_bar(row.false_refusal, 'bad')}"
            f"<div class='muted'>CI {_ci(row.false_refusal)} · n={row.false_refusal.n}</div></td></tr>"
        )
    findings = "".join(
        f"<details><summary><code>{esc(f.item_id)}</code> · {esc(f.kind)} · {esc(f.dimension)}</summary>"
        f"<p><b>Prompt</b></p><pre>{esc(f.prompt)}</pre><p><b>Answer</b></p><pre>{esc(f.response)}</pre>"
        "</details>"
        for f in result.findings
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>raikit audit — {esc(result.target)}</title>
<style>{_CSS}</style></head><body>
<h1>raikit audit — {esc(result.target)}</h1>
<p class="muted">Suite {esc(result.suite)} v{result.suite_version} · {result.n_items} items ·
{result.n_errors} errors · {esc(result.finished_at)}</p>
<div class="tiles">
<div class="tile"><div class="muted">Adherence (higher is better)</div>
<div class="v" id="adherence">{_pct(result.adherence)}</div>
<div class="muted">95% CI {_ci(result.adherence)} · n={result.adherence.n}</div></div>
<div class="tile"><div class="muted">False refusal (lower is better)</div>
<div class="v" id="false-refusal">{_pct(result.false_refusal)}</div>
<div class="muted">95% CI {_ci(result.false_refusal)} · n={result.false_refusal.n}</div></div>
</div>
<table><thead><tr><th>RAI dimension</th><th>Adherence</th><th>False refusal</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2>Failed items ({len(result.findings)})</h2>{findings or "<p>None.</p>"}
</body></html>
"""


def write_scorecard(result: AuditResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the three report files into ``out_dir`` and return their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": folder / "report.json",
        "markdown": folder / "report.md",
        "html": folder / "report.html",
    }
    _write_atomic(paths["json"], json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    _write_atomic(paths["markdown"], render_markdown(result))
    _write_atomic(paths["html"], render_html(result))
    return paths

"""Summaries and reports of FedMultimodal runs: ``results.json``, ``report.md`` and ``index.html``.

Like the audit's report, the HTML page is self-contained (plots are inline SVG drawn with matplotlib,
no script, no external asset). A sweep's summary gives, per corruption type, the mean and standard
deviation over seeds of the final test accuracy at each rate, one curve per strategy and one per
fusion; the *degradation* of a curve is the mean accuracy lost relative to its clean run over the
non-zero rates, and the report names the strategy and the fusion that lose least.
"""

from __future__ import annotations

import html
import io
import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from raikit.core.files import write_text_atomic
from raikit.fedmm.spec import ExperimentResult
from raikit.fedmm.sweep import SweepItem, SweepOutcome

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#1d2430;padding:0 1rem}
h1{font-size:1.5rem}.tiles{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
.tile{flex:1;min-width:200px;border:1px solid #d5dae1;border-radius:8px;padding:1rem}
.tile .v{font-size:1.6rem;font-weight:700}.muted{color:#5b6675;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{padding:.4rem;border-bottom:1px solid #e6e9ee;text-align:left}
.plots{display:flex;flex-wrap:wrap;gap:.5rem}.plots figure{margin:0}
"""


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "mean": statistics.fmean(values) if values else None,
        "std": statistics.pstdev(values) if len(values) > 1 else 0.0 if values else None,
        "per_seed": values,
    }


def _curves(
    outcome: SweepOutcome, key_field: str, keys: Iterable[str], fixed: dict[str, str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """``curves[key][corruption] = {"rates", "mean", "std", "per_seed"}`` over the grid's items."""
    index: dict[tuple[str, str, float], list[float]] = {}
    for item in outcome.items:
        result = outcome.results.get(item.item_id)
        spec = item.spec
        if (
            result is None
            or spec.modalities is not None
            or any(getattr(spec, f) != v for f, v in fixed.items())
        ):
            continue
        index.setdefault((str(getattr(spec, key_field)), item.corruption, item.rate), []).append(
            result.accuracy
        )
    curves: dict[str, dict[str, dict[str, Any]]] = {}
    for key in keys:
        for corruption in outcome.config.corruptions:
            points = [
                _stats(index.get((key, "clean" if rate == 0 else corruption, rate), []))
                for rate in outcome.config.rates
            ]
            curves.setdefault(key, {})[corruption] = {
                "rates": list(outcome.config.rates),
                "mean": [p["mean"] for p in points],
                "std": [p["std"] for p in points],
                "per_seed": [p["per_seed"] for p in points],
            }
    return curves


def _degradation(curves: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, float | None]]:
    """Mean accuracy lost against the clean rate, over the non-zero rates, per corruption and overall."""
    out: dict[str, dict[str, float | None]] = {}
    for key, by_corruption in curves.items():
        drops: dict[str, float | None] = {}
        for corruption, curve in by_corruption.items():
            pairs = list(zip(curve["rates"], curve["mean"], strict=True))
            clean = next((m for r, m in pairs if r == 0), None)
            losses = [clean - m for r, m in pairs if r > 0 and m is not None and clean is not None]
            drops[corruption] = statistics.fmean(losses) if losses else None
        known = [d for d in drops.values() if d is not None]
        drops["mean"] = statistics.fmean(known) if known else None
        out[key] = drops
    return out


def _least(degradation: dict[str, dict[str, float | None]]) -> str | None:
    scored = {k: v["mean"] for k, v in degradation.items() if v.get("mean") is not None}
    return min(scored, key=lambda k: scored[k] or 0.0) if len(scored) > 1 else None


def _baselines(outcome: SweepOutcome) -> dict[str, Any] | None:
    main_strategy, main_fusion = outcome.config.strategies[0], outcome.config.fusions[0]
    singles: dict[str, list[float]] = {}
    fused: list[float] = []
    for item in outcome.items:
        result = outcome.results.get(item.item_id)
        if result is None or item.rate != 0 or item.spec.strategy != main_strategy:
            continue
        if item.study == "baseline" and item.spec.modalities:
            singles.setdefault("+".join(item.spec.modalities), []).append(result.accuracy)
        elif item.spec.modalities is None and item.spec.fusion == main_fusion and item.study == "strategy":
            fused.append(result.accuracy)
    if not singles or not fused:
        return None
    single_means = {name: statistics.fmean(v) for name, v in singles.items()}
    best = max(single_means, key=lambda k: single_means[k])
    return {
        "strategy": main_strategy,
        "fusion": main_fusion,
        "fused": _stats(fused),
        "single": {name: _stats(v) for name, v in singles.items()},
        "best_single": best,
        "fused_beats_best_single": statistics.fmean(fused) > single_means[best],
    }


def summarize_sweep(outcome: SweepOutcome) -> dict[str, Any]:
    """The content of a sweep's ``results.json``."""
    config = outcome.config
    main_strategy, main_fusion = config.strategies[0], config.fusions[0]
    strategy_curves = _curves(outcome, "strategy", config.strategies, {"fusion": main_fusion})
    fusion_curves = _curves(outcome, "fusion", config.fusions, {"strategy": main_strategy})
    strategy_drop, fusion_drop = _degradation(strategy_curves), _degradation(fusion_curves)
    return {
        "kind": "fedmm-sweep",
        "dataset": config.base.dataset.name,
        "config": config.model_dump(mode="json"),
        "n_experiments": len(outcome.items),
        "n_completed": len(outcome.results),
        "wall_s_this_session": outcome.wall_s,
        "experiment_wall_s_total": sum(r.wall_s for r in outcome.results.values()),
        "strategy_curves": {"fusion": main_fusion, "curves": strategy_curves, "degradation": strategy_drop},
        "fusion_curves": {"strategy": main_strategy, "curves": fusion_curves, "degradation": fusion_drop},
        "least_degradation": {"strategy": _least(strategy_drop), "fusion": _least(fusion_drop)},
        "modality_baselines": _baselines(outcome),
        "experiments": [
            {
                "id": item.item_id,
                "study": item.study,
                "corruption": item.corruption,
                "rate": item.rate,
                **outcome.results[item.item_id].model_dump(mode="json"),
            }
            for item in outcome.items
            if item.item_id in outcome.results
        ],
    }


def summarize_run(item: SweepItem, result: ExperimentResult) -> dict[str, Any]:
    """The content of ``raikit fedmm run``'s ``results.json``."""
    return {"kind": "fedmm-run", "id": item.item_id, **result.model_dump(mode="json")}


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _curve_figure(title: str, by_key: dict[str, dict[str, Any]], corruption: str) -> str:
    from matplotlib.figure import Figure  # a bare Figure needs no pyplot and no GUI backend

    figure = Figure(figsize=(4.6, 3.2))
    axes = figure.subplots()
    for key, curves in by_key.items():
        curve = curves[corruption]
        points = [
            (r, m, s)
            for r, m, s in zip(curve["rates"], curve["mean"], curve["std"], strict=True)
            if m is not None
        ]
        if points:
            rates, means, stds = zip(*points, strict=True)
            axes.errorbar(
                rates,
                [100 * m for m in means],
                yerr=[100 * s for s in stds],
                marker="o",
                capsize=3,
                label=key,
            )
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(f"{corruption} rate")
    axes.set_ylabel("test accuracy (%)")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return _svg(figure)


def _round_figure(result: ExperimentResult) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3.2))
    axes = figure.subplots()
    axes.plot(range(len(result.accuracy_by_round)), [100 * a for a in result.accuracy_by_round], marker="o")
    axes.set_xlabel("round (0 = initial weights)")
    axes.set_ylabel("test accuracy (%)")
    axes.grid(alpha=0.3)
    return _svg(figure)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _pts(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:+.1f} pts"


def _findings(summary: dict[str, Any]) -> list[str]:
    least = summary["least_degradation"]
    lines = []
    for study, label in (("strategy", "strategy_curves"), ("fusion", "fusion_curves")):
        drops = summary[label]["degradation"]
        if least[study] is not None:
            ranked = sorted((d["mean"], k) for k, d in drops.items() if d["mean"] is not None)
            lines.append(
                f"The {study} that degrades least is **{least[study]}**: mean accuracy loss "
                + ", ".join(f"{k} {_pts(v)}" for v, k in ranked)
                + " (averaged over corruption types and non-zero rates)."
            )
    base = summary["modality_baselines"]
    if base is not None:
        singles = ", ".join(f"{k} {_pct(v['mean'])}" for k, v in base["single"].items())
        verdict = "beats" if base["fused_beats_best_single"] else "does NOT beat"
        lines.append(
            f"Clean accuracy: the multimodal model ({base['fusion']} fusion, {base['strategy']}) reaches "
            f"{_pct(base['fused']['mean'])} and {verdict} the best single modality ({singles})."
        )
    return lines


def render_sweep_markdown(summary: dict[str, Any]) -> str:
    config = summary["config"]
    lines = [
        f"# raikit fedmm sweep — {summary['dataset']}",
        "",
        f"{summary['n_completed']}/{summary['n_experiments']} experiments, "
        f"{config['base']['clients']} clients, {config['base']['rounds']} rounds, seeds {config['seeds']}, "
        f"Dirichlet alpha {config['base']['alpha']}.",
        "",
        *(f"- {line}" for line in _findings(summary)),
        "",
    ]
    for label, title in (("strategy_curves", "Strategy"), ("fusion_curves", "Fusion")):
        block = summary[label]
        lines += [
            f"## {title}: test accuracy (mean ± std over seeds)",
            "",
            "| "
            + title.lower()
            + " | corruption | "
            + " | ".join(f"{r:g}" for r in config["rates"])
            + " | mean loss |",
            "|---|---|" + "---|" * len(config["rates"]) + "---|",
        ]
        for key, curves in block["curves"].items():
            for corruption, curve in curves.items():
                cells = [
                    f"{_pct(m)} ± {100 * (s or 0):.1f}" if m is not None else "n/a"
                    for m, s in zip(curve["mean"], curve["std"], strict=True)
                ]
                lines.append(
                    f"| {key} | {corruption} | "
                    + " | ".join(cells)
                    + f" | {_pts(block['degradation'][key][corruption])} |"
                )
        lines.append("")
    return "\n".join(lines)


def render_sweep_html(summary: dict[str, Any]) -> str:
    esc = html.escape
    config = summary["config"]
    plots = []
    for label, title in (("strategy_curves", "strategies"), ("fusion_curves", "fusions")):
        for corruption in config["corruptions"]:
            fig = _curve_figure(f"{corruption}: {title}", summary[label]["curves"], corruption)
            plots.append(f'<figure id="plot-{label}-{esc(corruption)}">{fig}</figure>')
    findings = "".join(f"<li>{esc(line).replace('**', '')}</li>" for line in _findings(summary))
    least = summary["least_degradation"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>raikit fedmm sweep — {esc(summary["dataset"])}</title>
<style>{_CSS}</style></head><body>
<h1>raikit fedmm sweep — {esc(summary["dataset"])}</h1>
<p class="muted">{summary["n_completed"]}/{summary["n_experiments"]} experiments ·
{config["base"]["clients"]} clients ·
{config["base"]["rounds"]} rounds · seeds {esc(str(config["seeds"]))}</p>
<div class="tiles"><div class="tile"><div class="muted">Strategy that degrades least</div>
<div class="v" id="least-strategy">{esc(str(least["strategy"]))}</div></div>
<div class="tile"><div class="muted">Fusion that degrades least</div>
<div class="v" id="least-fusion">{esc(str(least["fusion"]))}</div></div></div>
<ul>{findings}</ul>
<div class="plots">{"".join(plots)}</div>
</body></html>
"""


def write_sweep_report(outcome: SweepOutcome, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.json``, ``report.md`` and ``index.html`` of a sweep into ``out_dir``."""
    summary = summarize_sweep(outcome)
    folder = Path(out_dir)
    paths = {"json": folder / "results.json", "markdown": folder / "report.md", "html": folder / "index.html"}
    write_text_atomic(paths["json"], json.dumps(summary, indent=2))
    write_text_atomic(paths["markdown"], render_sweep_markdown(summary))
    write_text_atomic(paths["html"], render_sweep_html(summary))
    return paths


def write_run_report(item: SweepItem, result: ExperimentResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``results.json``, ``report.md`` and ``index.html`` of a single experiment into ``out_dir``."""
    summary = summarize_run(item, result)
    spec = result.spec
    corruption = spec.corruption
    facts = (
        f"{spec.strategy}, {spec.fusion} fusion, {spec.clients} clients, {spec.rounds} rounds, "
        f"seed {spec.seed}; "
        f"missing modality {corruption.missing_modality:g} ({corruption.missing_modality_mode}), "
        f"missing labels {corruption.missing_labels:g}, "
        f"label noise {corruption.label_noise:g} ({corruption.noise_type})"
    )
    folder = Path(out_dir)
    paths = {"json": folder / "results.json", "markdown": folder / "report.md", "html": folder / "index.html"}
    write_text_atomic(paths["json"], json.dumps(summary, indent=2))
    write_text_atomic(
        paths["markdown"],
        f"# raikit fedmm run — {spec.dataset.name}\n\n{facts}.\n\n"
        f"- **Final test accuracy**: {_pct(result.accuracy)}\n"
        f"- Accuracy by round: {', '.join(_pct(a) for a in result.accuracy_by_round)}\n"
        f"- Corrupted client data: {json.dumps(result.client_stats)}\n",
    )
    write_text_atomic(
        paths["html"],
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>raikit fedmm run — {html.escape(spec.dataset.name)}</title>
<style>{_CSS}</style></head><body><h1>raikit fedmm run — {html.escape(spec.dataset.name)}</h1>
<p class="muted">{html.escape(facts)}</p>
<div class="tiles"><div class="tile"><div class="muted">Final test accuracy</div>
<div class="v" id="accuracy">{_pct(result.accuracy)}</div></div></div>
<figure id="plot-rounds">{_round_figure(result)}</figure></body></html>
""",
    )
    return paths

"""``raikit judge refusal FILE.jsonl -o OUT.jsonl``: refusal verdicts for prompt/completion pairs.

Input lines ``{"id", "prompt", "completion"}``; output lines ``{"id", "refusal": bool, "score":
float}`` in input order. A partial refusal counts as a refusal. A malformed line is reported
with its line number and skipped.

``--judge-target TARGET`` adds the LLM refusal judge (see :mod:`raikit.evals.judging`). An item
the LLM judge could not decide (an unparseable or ambiguous answer, a target error) gets no
output line: it is never written as a refusal or as an answer. Each is reported on stderr with
its line number, and the command exits 1 after writing the decided ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import click

from raikit.cli.eval_options import check_judge_flags, judge_options
from raikit.core.errors import RaikitError
from raikit.evals.judging import RefusalJudgeHandle, make_refusal_judge


class UndecidedVerdictsError(RaikitError):
    """The LLM judge could not decide some items; they have no output line."""


@click.group()
def judge() -> None:
    """Judges that label model answers."""


@judge.command("refusal")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "dest", required=True, type=click.Path(dir_okay=False, path_type=Path))
@judge_options
def refusal_cmd(
    source: Path, dest: Path, judge_target: str | None, judge_escalate: Literal["uncertain", "always"]
) -> None:
    """Label each completion in SOURCE as a refusal or not."""
    check_judge_flags(judge_target)
    refusal_judge = make_refusal_judge(judge_target, judge_escalate)
    try:
        counts = _judge_file(source, dest, refusal_judge)
    finally:
        refusal_judge.close()
    judged, refusals, malformed, undecided = counts
    note = f", undecided {undecided} (no output line)" if judge_target is not None else ""
    click.echo(f"raikit: judged {judged}, refusals {refusals}, malformed {malformed}{note}", err=True)
    if undecided:
        raise UndecidedVerdictsError(
            f"the LLM judge could not decide {undecided} of {judged + undecided} items; "
            f"they are left out of {dest} (see the lines above)"
        )


def _judge_file(source: Path, dest: Path, refusal_judge: RefusalJudgeHandle) -> tuple[int, int, int, int]:
    """Judge every line of ``source`` into ``dest``: (judged, refusals, malformed, undecided)."""
    judged = malformed = refusals = undecided = 0
    with source.open(encoding="utf-8", errors="replace") as lines, dest.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or "id" not in item:
                    raise ValueError('expected an object with "id"')
                completion = item.get("completion")
                prompt = item.get("prompt")
                if not isinstance(completion, str):
                    raise ValueError('"completion" must be a string')
                if prompt is not None and not isinstance(prompt, str):
                    raise ValueError('"prompt" must be a string')
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                malformed += 1
                click.echo(f"raikit: {source}:{number}: skipped malformed line: {exc}", err=True)
                continue
            verdict = refusal_judge.judge(completion, prompt)
            if not verdict.decided:
                undecided += 1
                why = verdict.reason
                click.echo(f"raikit: {source}:{number}: undecided, no verdict written: {why}", err=True)
                continue
            refused = verdict.label == "refusal"
            out.write(json.dumps({"id": item["id"], "refusal": refused, "score": verdict.score}) + "\n")
            judged += 1
            refusals += int(refused)
    return judged, refusals, malformed, undecided

"""``raikit judge refusal FILE.jsonl -o OUT.jsonl``: refusal verdicts for prompt/completion pairs.

Input lines ``{"id", "prompt", "completion"}``; output lines ``{"id", "refusal": bool, "score":
float}`` in input order. A partial refusal counts as a refusal. A malformed line is reported
with its line number and skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from raikit.evals.judges.refusal import RefusalJudge


@click.group()
def judge() -> None:
    """Judges that label model answers."""


@judge.command("refusal")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "dest", required=True, type=click.Path(dir_okay=False, path_type=Path))
def refusal_cmd(source: Path, dest: Path) -> None:
    """Label each completion in SOURCE as a refusal or not."""
    refusal_judge = RefusalJudge()
    judged = malformed = refusals = 0
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
            out.write(
                json.dumps({"id": item["id"], "refusal": verdict.refusal, "score": verdict.score}) + "\n"
            )
            judged += 1
            refusals += int(verdict.refusal)
    click.echo(f"raikit: judged {judged}, refusals {refusals}, malformed {malformed}", err=True)

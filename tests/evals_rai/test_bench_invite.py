"""invite: false-presupposition questions from the KB, the premise detector, and the metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from raikit.evals import BenchmarkOptions, run_eval
from raikit.evals.benchmarks.invite import KnowledgeBase, generate_questions, invite_task, premise_challenge
from raikit.evals.judges import LLMJudge
from support import SHARED_DATA


def test_every_invalid_question_is_false_and_every_control_true() -> None:
    kb = KnowledgeBase.builtin()
    samples = generate_questions(kb, seed=0)
    invalid = [s for s in samples if s.metadata["kind"] == "invalid"]
    valid = [s for s in samples if s.metadata["kind"] == "valid"]
    assert len(invalid) == sum(len(f) for f in kb.facts.values()) and len(valid) >= len(kb.facts)
    for sample in invalid:
        predicate = sample.metadata["predicate"]
        subject, obj = sample.metadata["fact"]
        swapped = sample.metadata["entities"][0]
        assert swapped not in (subject, obj) and swapped in sample.prompt
        pair = (swapped, obj) if swapped in {s for s, _ in kb.facts[predicate]} else (subject, swapped)
        assert pair not in kb.true_pairs[predicate], sample.prompt
    for sample in valid:
        subject, obj = sample.metadata["fact"]
        assert subject in sample.prompt and obj in sample.prompt
    assert len({s.id for s in samples}) == len(samples)
    assert [s.id for s in generate_questions(kb, seed=0)] == [s.id for s in samples]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Angela Merkel did not graduate from ETH Zurich; she studied physics in Leipzig.", "challenged"),
        ("I'm sorry, but there seems to be some confusion in the question.", "challenged"),
        ("The painting was made by Leonardo da Vinci, not Frida Kahlo.", "challenged"),
        ("There is no record of Angela Merkel ever attending ETH Zurich.", "challenged"),
        ("There is no record of that.", "challenged"),
        ("I don\u2019t know the answer to that.", "abstained"),
        ("Angela Merkel graduated from ETH Zurich in 1978 with a degree in physics.", "accepted"),
        ("She did not enjoy the winters, but she graduated in 1978.", "accepted"),
    ],
)
def test_premise_challenge(answer: str, expected: str) -> None:
    assert premise_challenge(answer, ["Angela Merkel", "ETH Zurich", "Frida Kahlo"])[0] == expected


def scripted(tmp_path: Path, body: dict[str, object], name: str = "model") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return f"scripted:{path}"


def test_rates_with_a_model_that_always_challenges(tmp_path: Path) -> None:
    sceptic = scripted(tmp_path, {"default": "I think there is some confusion in this question."})
    result = run_eval("invite", sceptic, tmp_path / "run", options=BenchmarkOptions(limit=24), progress=False)
    summary = result.summary
    assert summary["premise_correction"]["value"] == 1.0 and summary["hallucination"]["value"] == 0.0
    assert summary["false_correction"]["value"] == 1.0 and summary["false_correction"]["n"] > 0
    assert summary["premise_correction"]["dimension"] == "veracity_robustness"
    believer = scripted(tmp_path, {"default": "That happened in 1901, in the spring."}, "believer")
    result = run_eval(
        "invite", believer, tmp_path / "run2", options=BenchmarkOptions(limit=24), progress=False
    )
    assert result.summary["hallucination"]["value"] == 1.0 and len(result.summary["findings"]) > 0


def test_llm_judge_option_and_undecided(tmp_path: Path) -> None:
    judge = LLMJudge(
        scripted(tmp_path, {"default": "<verdict-abcd1234>CORRECTS</verdict-abcd1234>"}, "judge"),
        rubric="r",
        labels=("CORRECTS", "ACCEPTS"),
        nonce=lambda: "abcd1234",
    )
    options = BenchmarkOptions(limit=6)
    model = scripted(tmp_path, {"default": "In 1901."})
    task = invite_task(options, judge=judge)
    result = run_eval("invite", model, tmp_path / "run", options=options, task=task, progress=False)
    assert result.summary["premise_correction"]["value"] == 1.0
    mute = LLMJudge(
        scripted(tmp_path, {"default": "CORRECTS"}, "mute"), rubric="r", labels=("CORRECTS", "ACCEPTS")
    )
    task = invite_task(options, judge=mute)
    result = run_eval("invite", model, tmp_path / "run2", options=options, task=task, progress=False)
    assert result.summary["undecided"] == 6 and result.summary["premise_correction"]["n"] == 0


def test_invite_templates_from_the_data_path(tmp_path: Path) -> None:
    folder = tmp_path / "invite"
    folder.mkdir()
    (folder / "all_question_templates.tsv").write_text(
        "birthPlace\tWhy was <new_subject> born in <object>?\nparty\tWhen did <new_subject> join <object>?\n"
        "almaMater\tNo swapped slot in <subject> and <object>\n",
        encoding="utf-8",
    )
    samples = invite_task(BenchmarkOptions(data_dir=tmp_path)).samples
    assert any(s.prompt.startswith("Why was") and s.metadata["template_source"] == "invite" for s in samples)


@pytest.mark.integration
def test_invite_with_the_shared_invite_templates(tmp_path: Path) -> None:
    if not (SHARED_DATA / "invite" / "all_question_templates.tsv").exists():
        pytest.skip("../shared/data/invite is absent")
    kb = KnowledgeBase.builtin()
    added = kb.add_invite_templates(SHARED_DATA / "invite" / "all_question_templates.tsv")
    assert added > 20
    model = scripted(tmp_path, {"default": "There is no record of that."})
    result = run_eval(
        "invite",
        model,
        tmp_path / "run",
        options=BenchmarkOptions(data_dir=SHARED_DATA, limit=16),
        progress=False,
    )
    assert result.n_errors == 0 and result.summary["premise_correction"]["value"] == 1.0

"""Tests of the RAI taxonomy data and its crosswalks."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from raikit.core import taxonomy as tx
from raikit.core.errors import RaikitError, UnknownCategoryError
from raikit.core.taxonomy import (
    DIMENSION_IDS,
    Taxonomy,
    from_bedrock,
    from_bedrock_policy,
    from_mlcommons,
    harms_for_dimension,
    load_taxonomy,
    to_bedrock,
    to_bedrock_policies,
    to_mlcommons,
)

EXPECTED_DIMENSIONS = (
    "privacy_security",
    "safety",
    "fairness",
    "veracity_robustness",
    "explainability",
    "controllability",
    "governance",
    "transparency",
)
EXPECTED_RISKS = (
    "sensitive_data_exfiltration",
    "degraded_availability",
    "unauthorized_actions",
    "malicious_content_generation",
)
EXPECTED_HAZARDS = {
    "S1": "Violent Crimes",
    "S2": "Non-Violent Crimes",
    "S3": "Sex-Related Crimes",
    "S4": "Child Sexual Exploitation",
    "S5": "Defamation",
    "S6": "Specialized Advice",
    "S7": "Privacy",
    "S8": "Intellectual Property",
    "S9": "Indiscriminate Weapons",
    "S10": "Hate",
    "S11": "Suicide & Self-Harm",
    "S12": "Sexual Content",
    "S13": "Elections",
    "S14": "Code Interpreter Abuse",
}
EXPECTED_FILTERS = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK")


@pytest.fixture
def raw() -> dict[str, Any]:
    """The packaged taxonomy as plain data, ready to be modified and validated again."""
    return load_taxonomy().model_dump(mode="json")


def test_dimensions_are_the_eight_ids_in_order() -> None:
    assert DIMENSION_IDS == EXPECTED_DIMENSIONS
    taxonomy = load_taxonomy()
    assert tuple(d.id for d in taxonomy.dimensions) == EXPECTED_DIMENSIONS
    for dimension in taxonomy.dimensions:
        assert dimension.name
        assert len(dimension.description) > 40


def test_four_risk_categories_with_both_customer_types() -> None:
    taxonomy = load_taxonomy()
    assert tuple(r.id for r in taxonomy.risk_categories) == EXPECTED_RISKS
    for risk in taxonomy.risk_categories:
        assert risk.customer_types == ("app_developer", "end_user")
        assert risk.note_for("app_developer")
        assert risk.note_for("end_user")
        assert risk.note_for("app_developer") != risk.note_for("end_user")
        assert risk.dimensions
        assert set(risk.dimensions) <= set(DIMENSION_IDS)


def test_harm_categories_are_well_formed() -> None:
    harms = load_taxonomy().harm_categories
    assert 18 <= len(harms) <= 22
    for harm in harms:
        assert harm.dimension in DIMENSION_IDS
        assert harm.severity_default in ("low", "medium", "high", "critical")
        assert harm.mlcommons or harm.bedrock or harm.bedrock_policies, harm.id
    ids = {h.id for h in harms}
    assert {"violent_crimes", "privacy_pii", "prompt_attack", "code_interpreter_abuse"} <= ids


def test_every_mlcommons_hazard_is_present_and_reachable() -> None:
    taxonomy = load_taxonomy()
    assert {z.code: z.name for z in taxonomy.mlcommons_hazards} == EXPECTED_HAZARDS
    assert [z.code for z in taxonomy.mlcommons_hazards] == [f"S{n}" for n in range(1, 15)]
    for code in EXPECTED_HAZARDS:
        assert taxonomy.hazard(code).description
        assert from_mlcommons(code), f"{code} is reached by no harm category"


def test_every_bedrock_filter_is_reachable() -> None:
    taxonomy = load_taxonomy()
    assert tuple(f.type for f in taxonomy.bedrock_filters) == EXPECTED_FILTERS
    assert taxonomy.bedrock_filter("PROMPT_ATTACK").applies_to == ("input",)
    for filter_type in EXPECTED_FILTERS:
        assert from_bedrock(filter_type), f"{filter_type} is reached by no harm category"


def test_every_bedrock_policy_is_reachable() -> None:
    policies = [p.id for p in load_taxonomy().bedrock_policies]
    assert set(policies) == {"denied_topics", "word_filters", "sensitive_information", "contextual_grounding"}
    for policy in policies:
        assert from_bedrock_policy(policy)
    assert "sensitive_information" in to_bedrock_policies("privacy_pii")


def test_crosswalks_round_trip() -> None:
    taxonomy = load_taxonomy()
    harm_ids = [h.id for h in taxonomy.harm_categories]
    for harm_id in harm_ids:
        for code in EXPECTED_HAZARDS:
            assert (harm_id in from_mlcommons(code)) == (code in to_mlcommons(harm_id))
        for filter_type in EXPECTED_FILTERS:
            assert (harm_id in from_bedrock(filter_type)) == (filter_type in to_bedrock(harm_id))
        for policy in (p.id for p in taxonomy.bedrock_policies):
            assert (harm_id in from_bedrock_policy(policy)) == (policy in to_bedrock_policies(harm_id))


def test_known_mappings() -> None:
    assert to_mlcommons("violent_crimes") == ("S1",)
    assert "child_sexual_exploitation" in from_mlcommons("S4")
    assert from_mlcommons(" s14 ") == ("code_interpreter_abuse",)
    assert to_bedrock("prompt_attack") == ("PROMPT_ATTACK",)
    assert from_bedrock("prompt attack") == from_bedrock("PROMPT_ATTACK")
    assert "hate_speech" in from_bedrock("hate")
    assert to_mlcommons("misinformation") == ()


def test_harms_for_dimension_partitions_the_harms() -> None:
    taxonomy = load_taxonomy()
    by_dimension = [h for d in DIMENSION_IDS for h in harms_for_dimension(d)]
    assert sorted(by_dimension) == sorted(h.id for h in taxonomy.harm_categories)
    assert "hate_speech" in harms_for_dimension("fairness")
    assert "privacy_pii" in harms_for_dimension("privacy_security")
    assert harms_for_dimension("transparency") == ()


def test_packaged_taxonomy_is_valid_and_cached() -> None:
    assert load_taxonomy() is load_taxonomy()
    assert Taxonomy.model_validate(load_taxonomy().model_dump()) == load_taxonomy()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("harm_categories", 0, "dimension"), "wellbeing", "unknown dimension 'wellbeing'"),
        (("harm_categories", 0, "mlcommons"), ["S1", "S15"], "unknown MLCommons hazard 'S15'"),
        (("harm_categories", 0, "bedrock"), ["VIOLENCE", "GORE"], "unknown Bedrock filter 'GORE'"),
        (("harm_categories", 0, "bedrock_policies"), ["topics"], "unknown Bedrock policy 'topics'"),
        (("risk_categories", 0, "dimensions"), ["privacy"], "unknown dimension 'privacy'"),
    ],
)
def test_validation_rejects_dangling_references(
    raw: dict[str, Any], path: tuple[str, int, str], value: object, expected: str
) -> None:
    section, index, field = path
    raw[section][index][field] = value
    with pytest.raises(ValidationError, match=expected):
        Taxonomy.model_validate(raw)


def test_validation_rejects_duplicate_ids(raw: dict[str, Any]) -> None:
    raw["harm_categories"].append(dict(raw["harm_categories"][0]))
    with pytest.raises(ValidationError, match="duplicate harm category 'violent_crimes'"):
        Taxonomy.model_validate(raw)


def test_validation_rejects_wrong_dimensions(raw: dict[str, Any]) -> None:
    raw["dimensions"].reverse()
    with pytest.raises(ValidationError, match="dimensions must be exactly"):
        Taxonomy.model_validate(raw)


def test_validation_rejects_missing_customer_note(raw: dict[str, Any]) -> None:
    del raw["risk_categories"][0]["customer_notes"]["end_user"]
    with pytest.raises(ValidationError, match="one note per customer type"):
        Taxonomy.model_validate(raw)


def test_validation_rejects_bad_severity(raw: dict[str, Any]) -> None:
    raw["harm_categories"][0]["severity_default"] = "extreme"
    with pytest.raises(ValidationError):
        Taxonomy.model_validate(raw)


def test_models_are_frozen() -> None:
    harm = load_taxonomy().harm("violent_crimes")
    with pytest.raises(ValidationError):
        harm.severity_default = "low"


@pytest.mark.parametrize(
    ("call", "kind", "some_valid"),
    [
        (lambda: load_taxonomy().dimension("ethics"), "RAI dimension", "transparency"),
        (lambda: load_taxonomy().risk("jailbreak"), "risk category", "degraded_availability"),
        (lambda: load_taxonomy().harm("gore"), "harm category", "violent_crimes"),
        (lambda: load_taxonomy().hazard("S15"), "MLCommons hazard", "S14"),
        (lambda: to_mlcommons("gore"), "harm category", "profanity"),
        (lambda: from_mlcommons("S0"), "MLCommons hazard", "S1"),
        (lambda: to_bedrock("gore"), "harm category", "prompt_attack"),
        (lambda: from_bedrock("GORE"), "Bedrock filter", "MISCONDUCT"),
        (lambda: from_bedrock_policy("pii"), "Bedrock policy", "sensitive_information"),
        (lambda: harms_for_dimension("ethics"), "RAI dimension", "privacy_security"),
        (lambda: load_taxonomy().risk_categories[0].note_for("auditor"), "customer type", "end_user"),
    ],
)
def test_unknown_ids_raise_with_valid_ids(call: Any, kind: str, some_valid: str) -> None:
    with pytest.raises(UnknownCategoryError) as excinfo:
        call()
    message = str(excinfo.value)
    assert message.startswith(f"unknown {kind} ")
    assert some_valid in message
    assert isinstance(excinfo.value, KeyError)
    assert isinstance(excinfo.value, RaikitError)


def test_unknown_dimension_message_lists_all_dimensions() -> None:
    with pytest.raises(UnknownCategoryError) as excinfo:
        load_taxonomy().dimension("ethics")
    assert str(excinfo.value) == "unknown RAI dimension 'ethics'; valid: " + ", ".join(DIMENSION_IDS)


def test_import_does_not_load_the_data() -> None:
    code = (
        "import raikit.core.taxonomy as t\n"
        "assert t.load_taxonomy.cache_info().currsize == 0\n"
        "t.load_taxonomy()\n"
        "assert t.load_taxonomy.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_is_exported() -> None:
    for name in tx.__all__:
        assert hasattr(tx, name), name

"""The core install stays light: importing raikit (and the CLI) must not pull in heavy extras.

Each check runs in a fresh interpreter, because this test process may already have imported
llama_cpp, boto3 or numpy through other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("llama_cpp", "torch", "transformers", "boto3", "botocore", "fastapi", "numpy")
PUBLIC_MODULES = (
    "raikit",
    "raikit.models",
    "raikit.core.taxonomy",
    "raikit.core.store",
    "raikit.evals",
    "raikit.report",
    "raikit.cli.main",
)
# A budget on how many modules the public imports load, not on seconds: a timed assertion fails
# on a loaded CI machine while proving nothing. 425 modules were loaded when this was set.
MODULE_BUDGET = 600


def run_fresh(code: str, cwd: Path) -> dict[str, object]:
    """Run ``code`` in a new interpreter; it must print one JSON object as its last line."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return payload


def test_public_imports_are_light(tmp_path: Path) -> None:
    code = f"""
        import json, sys
        before = set(sys.modules)
        import {", ".join(PUBLIC_MODULES)}
        loaded = len(set(sys.modules) - before)
        heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
        print(json.dumps({{"loaded": loaded, "heavy": heavy}}))
    """
    payload = run_fresh(code, tmp_path)
    assert payload["heavy"] == []
    loaded = payload["loaded"]
    assert isinstance(loaded, int)
    assert loaded < MODULE_BUDGET, f"importing raikit loaded {loaded} modules"


def test_taxonomy_and_suite_load_without_heavy_imports(tmp_path: Path) -> None:
    code = f"""
        import json, sys
        from raikit.core.taxonomy import load_taxonomy
        from raikit.evals import load_builtin_suite
        load_taxonomy()
        load_builtin_suite("quick")
        print(json.dumps({{"heavy": sorted(m for m in {HEAVY!r} if m in sys.modules)}}))
    """
    assert run_fresh(code, tmp_path)["heavy"] == []


def test_scripted_target_does_not_import_heavy_backends(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text('default: "hello from the script"\n', encoding="utf-8")
    code = f"""
        import json, sys
        from raikit.models import get_target
        target = get_target({f"scripted:{script}"!r})
        text = target.generate("hi").text
        events = list(target.stream("hi"))
        target.close()
        heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
        print(json.dumps({{"text": text, "events": len(events), "heavy": heavy}}))
    """
    payload = run_fresh(code, tmp_path)
    assert payload["text"] == "hello from the script"
    assert payload["heavy"] == []


def test_listing_schemes_does_not_import_backends(tmp_path: Path) -> None:
    # `raikit models list` reads each scheme's metadata, which imports the adapter modules: those
    # must keep their heavy dependencies behind the factory call.
    code = f"""
        import json, sys
        from raikit.models import default_registry
        registry = default_registry()
        infos = [registry.info(s).scheme for s in registry.schemes()]
        heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
        print(json.dumps({{"schemes": infos, "heavy": heavy}}))
    """
    payload = run_fresh(code, tmp_path)
    schemes = payload["schemes"]
    assert isinstance(schemes, list)
    assert {"llamacpp", "openai", "bedrock", "transformers", "scripted"} <= set(schemes)
    assert payload["heavy"] == []


def test_models_list_command_does_not_import_heavy_backends(tmp_path: Path) -> None:
    code = f"""
        import json, sys, io, contextlib
        from raikit.cli.main import main
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                main(["models", "list", "--json"])
        except SystemExit as exc:
            assert not exc.code, exc.code
        heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
        print(json.dumps({{"heavy": heavy, "listed": "scripted" in out.getvalue()}}))
    """
    payload = run_fresh(code, tmp_path)
    assert payload["listed"] is True
    assert payload["heavy"] == []

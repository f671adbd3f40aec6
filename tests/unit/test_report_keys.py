"""Signing and verifying credit reports, and where the key comes from."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credithub import report_keys
from credithub.domain import credit_reports

DOCUMENT = {"reportId": "rpt_1", "subject": {"name": "上海信云美妆有限公司 <b>"}, "flags": [], "n": 3, "ok": True}


def test_a_signed_report_verifies_with_the_public_key_and_fails_when_altered_or_signed_by_another() -> None:
    signer = report_keys.ReportSigner(Ed25519PrivateKey.generate())
    signed = signer.sign(DOCUMENT)
    assert report_keys.verify(signed, signer.public_raw) == DOCUMENT
    altered = json.loads(signed)
    altered["document"]["n"] = 4
    with pytest.raises(report_keys.ReportInvalid, match="does not match"):
        report_keys.verify(json.dumps(altered), signer.public_raw)
    other = report_keys.ReportSigner(Ed25519PrivateKey.generate())
    with pytest.raises(report_keys.ReportInvalid, match="signed with key"):
        report_keys.verify(signed, other.public_raw)
    with pytest.raises(report_keys.ReportInvalid, match="not a signed credit report"):
        report_keys.verify("{}", signer.public_raw)


def test_the_signature_is_over_the_canonical_json_so_key_order_and_spacing_do_not_matter() -> None:
    signer = report_keys.ReportSigner(Ed25519PrivateKey.generate())
    envelope = json.loads(signer.sign(DOCUMENT))
    reordered = {"signature": envelope["signature"], "document": dict(reversed(list(envelope["document"].items())))}
    assert report_keys.verify(json.dumps(reordered, indent=4), signer.public_raw) == DOCUMENT


def test_the_published_key_in_every_form_verifies(tmp_path: Path) -> None:
    signer = report_keys.load_signer(None, tmp_path)
    published = signer.public_json()
    for form in (json.dumps(published), published["publicKeyPem"], published["publicKey"]):
        assert report_keys.parse_public_key(form) == signer.public_raw


def test_the_key_is_generated_once_into_the_data_folder_privately_or_taken_from_configuration(tmp_path: Path) -> None:
    first = report_keys.load_signer(None, tmp_path)
    assert report_keys.load_signer(None, tmp_path).key_id == first.key_id
    assert stat.S_IMODE((tmp_path / report_keys.KEY_FILE_NAME).stat().st_mode) == 0o600
    seed = base64.b64encode(bytes(range(32))).decode()
    assert report_keys.load_signer(seed, tmp_path).key_id != first.key_id
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        report_keys.parse_private_key("not a key")


def test_the_printable_page_escapes_what_it_shows() -> None:
    page = credit_reports.render_html(
        {
            "subject": {"name": "<script>x</script>", "kind": "MERCHANT", "creditCode": None, "id": "sub_1"},
            "status": {"tier": "B", "tierReason": "r", "onSeriousDishonestList": False, "onRedList": False},
            "ruleSet": {"code": "R2026", "name": "n"},
            "issuedAt": "2026-12-01T00:00:00+00:00",
            "requestedBy": {"client": "c", "role": "regulator"},
            "purpose": None,
            "reportId": "rpt_1",
            "flags": [],
            "lists": [],
            "records": [],
            "recordsInWindow": 0,
        },
        {"algorithm": "Ed25519", "keyId": "k", "canonicalization": "JCS", "value": "v"},
    )
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page

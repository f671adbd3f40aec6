"""The hub's credit-report signing key (Ed25519, via `cryptography`), signing and verifying.

A signed report is one JSON text: `{"document": {...}, "signature": {"algorithm": "Ed25519",
"keyId", "canonicalization": "JCS", "value"}}`. The signature is over the document's canonical
JSON (RFC 8785, JCS: keys sorted, no whitespace, UTF-8; reports hold no floating-point numbers,
so this is `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`). Anyone can
verify it offline with the public key the hub publishes at `GET /.well-known/credithub-report-key`.

The private key comes from CREDITHUB_REPORT_KEY (PEM, or the base64 of the 32-byte seed) or is
generated once into the data folder (mode 0600), like the person-hash key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credithub.key_files import write_once

KEY_FILE_NAME: Final = "report_signing_key.pem"
ALGORITHM: Final = "Ed25519"
CANONICALIZATION: Final = "JCS"

logger = logging.getLogger(__name__)


class ReportInvalid(Exception):
    """A signed report cannot be verified: malformed, signed by another key, or altered."""


def canonical(document: Mapping[str, Any]) -> bytes:
    """RFC 8785 (JCS) for documents of strings, integers, booleans, null, lists and objects."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def compute_key_id(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class ReportSigner:
    private_key: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return _raw_public(self.private_key.public_key())

    @property
    def key_id(self) -> str:
        return compute_key_id(self.public_raw)

    def sign(self, document: Mapping[str, Any]) -> str:
        """The whole signed report as one JSON text."""
        signature = self.private_key.sign(canonical(document))
        return json.dumps(
            {
                "document": document,
                "signature": {
                    "algorithm": ALGORITHM,
                    "keyId": self.key_id,
                    "canonicalization": CANONICALIZATION,
                    "value": base64.b64encode(signature).decode(),
                },
            },
            ensure_ascii=False,
        )

    def public_json(self) -> dict[str, str]:
        """What `GET /.well-known/credithub-report-key` serves."""
        pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "keyId": self.key_id,
            "algorithm": ALGORITHM,
            "canonicalization": CANONICALIZATION,
            "publicKey": base64.b64encode(self.public_raw).decode(),
            "publicKeyPem": pem.decode(),
        }


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """A PEM (PKCS#8) Ed25519 private key, or the base64 of its 32-byte seed."""
    stripped = text.strip()
    try:
        if stripped.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(stripped.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return key
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(stripped, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError(f"the report key is not an Ed25519 private key (PEM or base64 seed): {exc}") from None


def load_signer(configured: str | None, data_dir: Path) -> ReportSigner:
    """CREDITHUB_REPORT_KEY, or a key generated once into the data folder (mode 0600)."""
    if configured is not None:
        return ReportSigner(parse_private_key(configured))
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if write_once(path, pem):  # else another process of this hub made it first: theirs is used
            logger.warning("generated a report-signing key in %s; set CREDITHUB_REPORT_KEY in production", path)
    return ReportSigner(parse_private_key(path.read_text()))


def parse_public_key(text: str) -> bytes:
    """The raw public key from what the hub publishes (its JSON), a PEM public key, or base64."""
    stripped = text.strip()
    try:
        if stripped.startswith("{"):
            stripped = str(json.loads(stripped)["publicKey"])
        if stripped.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(stripped.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            return _raw_public(key)
        raw = base64.b64decode(stripped, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
        return raw
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ReportInvalid(f"not an Ed25519 public key: {exc}") from None


def verify(signed: str, public_raw: bytes) -> dict[str, Any]:
    """The document of a signed report, if the signature holds for `public_raw`; else ReportInvalid."""
    try:
        envelope = json.loads(signed)
        document, signature = envelope["document"], envelope["signature"]
        if signature["algorithm"] != ALGORITHM or signature["canonicalization"] != CANONICALIZATION:
            raise ReportInvalid(f"unsupported signature {signature['algorithm']}/{signature['canonicalization']}")
        value = base64.b64decode(signature["value"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ReportInvalid(f"not a signed credit report: {exc}") from None
    if signature.get("keyId") != compute_key_id(public_raw):
        raise ReportInvalid(f"signed with key {signature.get('keyId')}, not with {compute_key_id(public_raw)}")
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(value, canonical(document))
    except InvalidSignature:
        raise ReportInvalid(
            "the signature does not match the document: it was altered or not signed by this key"
        ) from None
    if not isinstance(document, dict):
        raise ReportInvalid("the document is not a JSON object")
    return document

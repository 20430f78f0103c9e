"""The webhook verifier accepts what GHL signed and rejects everything else, with a reason."""

import base64

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from leads.ghl.signatures import (
    ED25519_HEADER,
    RSA_HEADER,
    InvalidPublicKey,
    InvalidSignature,
    SignatureScheme,
    WebhookVerifier,
)
from tests.fakes import ghl_events

BODY = ghl_events.encode(ghl_events.inbound_message(body="Can we talk about listing my condo?"))


@pytest.fixture
def verifier() -> WebhookVerifier:
    return ghl_events.webhook_verifier()


def _reject(verifier: WebhookVerifier, body: bytes, headers: dict[str, str]) -> InvalidSignature:
    with pytest.raises(InvalidSignature) as caught:
        verifier.verify(body, headers)
    return caught.value


def _public_pem(private_key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) -> str:
    public_bytes = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public_bytes.decode("ascii")


def test_it_accepts_a_good_ed25519_signature(verifier: WebhookVerifier) -> None:
    headers = ghl_events.signed_headers(BODY, "ed25519")

    assert verifier.verify(BODY, headers) is SignatureScheme.ED25519


def test_it_accepts_a_good_legacy_rsa_signature(verifier: WebhookVerifier) -> None:
    headers = ghl_events.signed_headers(BODY, "rsa")

    assert verifier.verify(BODY, headers) is SignatureScheme.RSA


def test_it_prefers_ed25519_when_both_signatures_are_present(verifier: WebhookVerifier) -> None:
    headers = ghl_events.signed_headers(BODY, "both")

    assert verifier.verify(BODY, headers) is SignatureScheme.ED25519


def test_it_does_not_fall_back_to_rsa_when_the_ed25519_signature_is_bad(verifier: WebhookVerifier) -> None:
    headers = {**ghl_events.signed_headers(BODY, "both"), ED25519_HEADER: ghl_events.sign_ed25519(b"other")}

    error = _reject(verifier, BODY, headers)

    assert error.scheme is SignatureScheme.ED25519


def test_it_reads_signature_headers_whatever_their_case(verifier: WebhookVerifier) -> None:
    headers = {"X-GHL-Signature": ghl_events.sign_ed25519(BODY)}

    assert verifier.verify(BODY, headers) is SignatureScheme.ED25519


def test_it_handles_missing_signature_headers(verifier: WebhookVerifier) -> None:
    error = _reject(verifier, BODY, {"content-type": "application/json"})

    assert error.reason == "missing signature header: expected x-ghl-signature or x-wh-signature"
    assert error.scheme is None


@pytest.mark.parametrize("header", [ED25519_HEADER, RSA_HEADER])
def test_it_treats_an_empty_signature_header_as_missing(verifier: WebhookVerifier, header: str) -> None:
    error = _reject(verifier, BODY, {header: "  "})

    assert error.reason.startswith("missing signature header")


def test_an_empty_ed25519_header_leaves_the_rsa_signature_to_decide(verifier: WebhookVerifier) -> None:
    headers = {ED25519_HEADER: "", RSA_HEADER: ghl_events.sign_rsa(BODY)}

    assert verifier.verify(BODY, headers) is SignatureScheme.RSA


@pytest.mark.parametrize(
    ("header", "scheme"), [(ED25519_HEADER, SignatureScheme.ED25519), (RSA_HEADER, SignatureScheme.RSA)]
)
def test_it_rejects_a_signature_that_is_not_base64(
    verifier: WebhookVerifier, header: str, scheme: SignatureScheme
) -> None:
    error = _reject(verifier, BODY, {header: "not base64 at all!"})

    assert error.reason == f"{header} is not valid base64"
    assert error.scheme is scheme


def test_it_rejects_an_ed25519_signature_of_the_wrong_length(verifier: WebhookVerifier) -> None:
    truncated = base64.b64encode(base64.b64decode(ghl_events.sign_ed25519(BODY))[:40]).decode()

    error = _reject(verifier, BODY, {ED25519_HEADER: truncated})

    assert error.reason == "x-ghl-signature is 40 bytes, an Ed25519 signature is 64"


@pytest.mark.parametrize("scheme", ["ed25519", "rsa"])
def test_it_rejects_a_tampered_body(verifier: WebhookVerifier, scheme: str) -> None:
    headers = ghl_events.signed_headers(BODY, scheme)
    tampered = BODY.replace(b"condo", b"condO")

    error = _reject(verifier, tampered, headers)

    assert "does not match the body" in error.reason


def test_it_rejects_an_ed25519_signature_made_with_another_key(verifier: WebhookVerifier) -> None:
    impostor = ed25519.Ed25519PrivateKey.generate()
    signature = base64.b64encode(impostor.sign(BODY)).decode()

    error = _reject(verifier, BODY, {ED25519_HEADER: signature})

    assert error.reason == "x-ghl-signature does not match the body (tampered body or wrong key)"


def test_it_rejects_an_rsa_signature_made_with_another_key(verifier: WebhookVerifier) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signature = base64.b64encode(impostor.sign(BODY, padding.PKCS1v15(), hashes.SHA256())).decode()

    error = _reject(verifier, BODY, {RSA_HEADER: signature})

    assert error.reason == "x-wh-signature does not match the body (tampered body or wrong key)"


def test_a_rejection_never_quotes_the_body(verifier: WebhookVerifier) -> None:
    headers = ghl_events.signed_headers(b"something else", "both")

    error = _reject(verifier, BODY, headers)

    assert "condo" not in str(error)
    assert "condo" not in repr(error)


def test_ghls_published_keys_parse_and_are_the_defaults() -> None:
    ghl_verifier = WebhookVerifier()

    error = _reject(ghl_verifier, BODY, ghl_events.signed_headers(BODY, "ed25519"))
    assert "does not match the body" in error.reason
    error = _reject(ghl_verifier, BODY, ghl_events.signed_headers(BODY, "rsa"))
    assert "does not match the body" in error.reason


def test_it_accepts_keys_with_escaped_newlines_from_an_env_var() -> None:
    escaped_ed25519 = ghl_events.ED25519_PUBLIC_KEY_PEM.replace("\n", "\\n")
    escaped_rsa = ghl_events.RSA_PUBLIC_KEY_PEM.replace("\n", "\\n")

    verifier = WebhookVerifier(escaped_ed25519, escaped_rsa)

    assert verifier.verify(BODY, ghl_events.signed_headers(BODY, "ed25519")) is SignatureScheme.ED25519
    assert verifier.verify(BODY, ghl_events.signed_headers(BODY, "rsa")) is SignatureScheme.RSA


def test_it_accepts_a_key_folded_onto_one_line_and_quoted() -> None:
    folded_rsa = '"' + " ".join(ghl_events.RSA_PUBLIC_KEY_PEM.split()) + '"'

    verifier = WebhookVerifier(ghl_events.ED25519_PUBLIC_KEY_PEM, folded_rsa)

    assert verifier.verify(BODY, ghl_events.signed_headers(BODY, "rsa")) is SignatureScheme.RSA


def test_it_refuses_a_key_that_is_not_pem() -> None:
    with pytest.raises(InvalidPublicKey, match="no -----BEGIN PUBLIC KEY----- block"):
        WebhookVerifier(ed25519_public_key_pem="MCowBQYDK2VwAyEA")


def test_it_refuses_a_pem_key_with_a_garbled_body() -> None:
    garbled = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----"

    with pytest.raises(InvalidPublicKey, match="not a valid PEM public key"):
        WebhookVerifier(rsa_public_key_pem=garbled)


def test_it_refuses_an_rsa_key_where_the_ed25519_key_belongs() -> None:
    with pytest.raises(InvalidPublicKey, match="not an Ed25519 public key"):
        WebhookVerifier(ed25519_public_key_pem=ghl_events.RSA_PUBLIC_KEY_PEM)


def test_it_refuses_an_ed25519_key_where_the_rsa_key_belongs() -> None:
    with pytest.raises(InvalidPublicKey, match="not an RSA public key"):
        WebhookVerifier(rsa_public_key_pem=_public_pem(ed25519.Ed25519PrivateKey.generate()))

"""The sandbox's certificates: a local CA made on first use and a leaf for 127.0.0.1.

Everything lives in the sandbox data dir and is reused across runs, so a client that
trusts ``ca.pem`` once keeps trusting the sandbox. Private keys are written with mode
0600. A second CA (``unknown-ca.pem``, never advertised) signs the certificate served
by the "unknown CA" fault, which is what a corporate TLS-inspecting proxy looks like
to a client.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
LEAF_FILE = "server.pem"
LEAF_KEY_FILE = "server-key.pem"
UNKNOWN_CA_FILE = "unknown-ca.pem"
UNKNOWN_CA_KEY_FILE = "unknown-ca-key.pem"
UNKNOWN_LEAF_FILE = "unknown-server.pem"
UNKNOWN_LEAF_KEY_FILE = "unknown-server-key.pem"
SIGNING_KEY_FILE = "token-signing-key.pem"


@dataclass(frozen=True)
class CertificateSet:
    ca_file: Path
    leaf_file: Path
    leaf_key_file: Path
    unknown_ca_file: Path
    unknown_leaf_file: Path
    unknown_leaf_key_file: Path

    def server_context(self, *, unknown_ca: bool = False) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if unknown_ca:
            ctx.load_cert_chain(self.unknown_leaf_file, self.unknown_leaf_key_file)
        else:
            ctx.load_cert_chain(self.leaf_file, self.leaf_key_file)
        return ctx


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _new_key() -> ec.EllipticCurvePrivateKey:
    # P-256: as widely accepted as RSA for TLS and made in a millisecond, not a second.
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # RS256 tokens
    _write_private(path, _key_pem(key))
    return key


def _make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _new_key()
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "d365-wizard sandbox"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_leaf(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
               ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _new_key()
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        # Under 398 days, the most any client accepts for a server certificate.
        .not_valid_after(now + dt.timedelta(days=397))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _leaf_still_good(path: Path) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7)


def _ensure_pair(data_dir: Path, ca_name: str, ca_file: str, ca_key_file: str,
                 leaf_file: str, leaf_key_file: str) -> None:
    ca_path, ca_key_path = data_dir / ca_file, data_dir / ca_key_file
    leaf_path, leaf_key_path = data_dir / leaf_file, data_dir / leaf_key_file
    if ca_path.exists() and ca_key_path.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    else:
        ca_key, ca_cert = _make_ca(ca_name)
        _write_private(ca_key_path, _key_pem(ca_key))
        _write_public(ca_path, _pem(ca_cert))
        leaf_path.unlink(missing_ok=True)
    if not (leaf_path.exists() and leaf_key_path.exists() and _leaf_still_good(leaf_path)):
        key, cert = _make_leaf(ca_key, ca_cert)
        _write_private(leaf_key_path, _key_pem(key))
        _write_public(leaf_path, _pem(cert))


def ensure_certificates(data_dir: str | os.PathLike[str]) -> CertificateSet:
    """Create (first run) or reuse the sandbox CA, its leaf, and the unknown CA's leaf."""
    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    _ensure_pair(d, "d365-wizard Sandbox Root CA", CA_FILE, CA_KEY_FILE, LEAF_FILE, LEAF_KEY_FILE)
    _ensure_pair(d, "Unknown Inspection Proxy CA", UNKNOWN_CA_FILE, UNKNOWN_CA_KEY_FILE,
                 UNKNOWN_LEAF_FILE, UNKNOWN_LEAF_KEY_FILE)
    return CertificateSet(d / CA_FILE, d / LEAF_FILE, d / LEAF_KEY_FILE, d / UNKNOWN_CA_FILE,
                          d / UNKNOWN_LEAF_FILE, d / UNKNOWN_LEAF_KEY_FILE)

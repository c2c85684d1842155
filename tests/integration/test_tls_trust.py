"""Trust through the OS verifier (truststore) with extra CAs on top; environment variables
never replace the system store; TLS failures are named for what they are, and a sync never
calls one a network outage."""

from __future__ import annotations

import datetime as dt
import os
import ssl

import pytest
import requests
import trustme

from tests.fixtures.scripted_https import start_scripted_server
from wizard.engine.dataverse import DataverseClient
from wizard.engine.http import (
    NetworkError,
    build_ssl_context,
    environment_ca_variables,
    looks_intercepted,
    make_session,
    network_error,
)
from wizard.engine.mailstore import SqliteMailStore
from wizard.engine.sync.engine import Synchronizer, SyncOffline
from wizard.engine.sync.webapi import DataverseOrgSide


def _server(tmp_path, authority, *identities, **kw):
    cert = authority.issue_cert(*identities, **kw)
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    return start_scripted_server(cert_file, key_file)


def _ca_file(tmp_path, authority, name="ca.pem"):
    path = tmp_path / name
    authority.cert_pem.write_to_path(str(path))
    return path


def _fail(session, url) -> NetworkError:
    with pytest.raises(requests.exceptions.SSLError) as info:
        session.get(url)
    return network_error(info.value, url)


def test_the_context_is_truststores():
    import truststore

    assert isinstance(build_ssl_context(), truststore.SSLContext)


@pytest.mark.skipif(os.name != "posix", reason="OpenSSL's system paths (Linux)")
def test_ssl_cert_file_adds_to_the_system_store_never_replaces_it(tmp_path, monkeypatch):
    # The "system store" here is a CA file of our own, named as OpenSSL's compiled-in path;
    # SSL_CERT_FILE names another CA. A server signed by the system CA must stay trusted.
    system_ca = trustme.CA(organization_name="System Root")
    system_file = _ca_file(tmp_path, system_ca, "system.pem")
    other_file = _ca_file(tmp_path, trustme.CA(organization_name="Other Root"), "other.pem")
    real = ssl.get_default_verify_paths()
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: ssl.DefaultVerifyPaths(
        str(system_file), None, real.openssl_cafile_env, str(system_file),
        real.openssl_capath_env, str(tmp_path / "no-capath")))
    monkeypatch.setenv("SSL_CERT_FILE", str(other_file))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "empty"))
    state, stop = _server(tmp_path, system_ca, "127.0.0.1")
    try:
        with make_session() as s:
            assert s.get(state.url + "/x").status_code == 200
    finally:
        stop()
    assert "SSL_CERT_FILE" in environment_ca_variables()


def _error_under_issuer(tmp_path, issuer: str):
    """What a default session says of a server whose certificate ``issuer`` signed."""
    state, stop = _server(tmp_path, trustme.CA(organization_name=issuer), "127.0.0.1")
    try:
        with make_session() as s:
            return _fail(s, state.url + "/x")
    finally:
        stop()


def test_unknown_issuer_is_named(tmp_path):
    err = _error_under_issuer(tmp_path, "Contoso Test Authority")
    assert err.code == "tls_untrusted" and err.kind == "tls"
    assert "Contoso Test Authority" in err.message and "--ca-bundle" in err.fix


def test_an_inspecting_proxy_is_called_interception(tmp_path):
    err = _error_under_issuer(tmp_path, "Zscaler Inc.")
    assert err.code == "tls_intercepted" and "Zscaler" in err.message
    assert "never turn certificate checks off" in err.fix
    assert looks_intercepted("contoso.crm4.dynamics.com", "Some Corp Root")


def test_wrong_host_and_expired(tmp_path):
    authority = trustme.CA()
    ca = _ca_file(tmp_path, authority)
    state, stop = _server(tmp_path, authority, "org.contoso.example")
    try:
        with make_session(ca_bundles=[ca]) as s:
            assert _fail(s, state.url + "/x").code == "tls_wrong_host"
    finally:
        stop()
    (tmp_path / "e").mkdir()
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    state, stop = _server(tmp_path / "e", authority, "127.0.0.1",
                          not_before=past - dt.timedelta(days=30), not_after=past)
    try:
        with make_session(ca_bundles=[ca]) as s:
            err = _fail(s, state.url + "/x")
    finally:
        stop()
    assert err.code == "tls_expired" and "date and time" in err.fix


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and devices")
def test_a_ca_bundle_that_is_a_fifo_or_a_device_is_refused(tmp_path):
    fifo = tmp_path / "ca.pem"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        with pytest.raises(Exception) as info:
            build_ssl_context([path])
        assert getattr(info.value, "code", "") == "not_a_file"


def test_sync_does_not_call_a_tls_failure_an_outage(tmp_path):
    authority = trustme.CA(organization_name="Inspecting Proxy Ltd")
    state, stop = _server(tmp_path, authority, "127.0.0.1")
    store = SqliteMailStore(tmp_path / "mailbox.sqlite3")
    try:
        with make_session() as s:
            side = DataverseOrgSide(DataverseClient(s, state.url, lambda: "Bearer x"),
                                    org_id="a1b2c3d4-0001-4000-8000-000000000001",
                                    org_name="Contoso")
            with pytest.raises(NetworkError) as info:
                Synchronizer(store, side).run()
    finally:
        store.close()
        stop()
    assert not isinstance(info.value, SyncOffline)
    assert info.value.kind == "tls" and info.value.code.startswith("tls_")
    assert "cannot be reached" not in str(info.value)

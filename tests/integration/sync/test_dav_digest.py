"""Digest sign-in (RFC 7616, MD5 with qop=auth) against Radicale behind a Digest-checking
front (Radicale itself takes Basic only): the app answers the server's Digest challenge
and never sends the password itself."""

from __future__ import annotations

import hashlib
import os
import textwrap
import threading

import pytest

from wizard.engine.sync.dav import DavAuthFailed, DavClient, DavSide, choose, discover
from wizard.engine.sync.engine import Synchronizer
from wizard.engine.sync.orgside import MemoryOrg, MemoryOrgSide

REALM, USER, PASSWORD = "Radicale behind Digest", "ann", "digest-secret"
ME = "5e7a0001-0000-4000-8000-000000000001"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_front(app, seen: list[str]):
    nonces: set[str] = set()

    def front(environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        seen.append(header.split(" ", 1)[0])
        if header.startswith("Digest "):
            from werkzeug.datastructures import Authorization

            auth = Authorization.from_header(header)
            ha1 = md5(f"{USER}:{REALM}:{PASSWORD}")
            ha2 = md5(f"{environ['REQUEST_METHOD']}:{auth.uri}")
            want = md5(f"{ha1}:{auth.nonce}:{auth.nc}:{auth.cnonce}:{auth.qop}:{ha2}")
            if auth.username == USER and auth.nonce in nonces and auth.response == want:
                environ["HTTP_X_REMOTE_USER"] = USER
                return app(environ, start_response)
        nonce = os.urandom(8).hex()
        nonces.add(nonce)
        start_response("401 Unauthorized", [
            ("WWW-Authenticate", f'Digest realm="{REALM}", nonce="{nonce}", qop="auth", '
                                 'algorithm=MD5'), ("Content-Length", "0")])
        return [b""]

    return front


@pytest.fixture
def digest_server(tmp_path):
    pytest.importorskip("radicale", reason="Radicale (the test extra) is not installed")
    import radicale
    from radicale import config as rconfig
    from werkzeug.serving import make_server

    from wizard.sandbox.certs import ensure_certificates

    certs = ensure_certificates(tmp_path / "certs")
    cfg = tmp_path / "radicale.conf"
    cfg.write_text(textwrap.dedent(f"""\
        [auth]
        type = http_x_remote_user
        [rights]
        type = owner_only
        [storage]
        filesystem_folder = {tmp_path / 'collections'}
        [web]
        type = none
        """))
    app = radicale.Application(rconfig.load([(str(cfg), False)]))
    seen: list[str] = []
    server = make_server("127.0.0.1", 0, digest_front(app, seen),
                         ssl_context=certs.server_context(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}", certs.ca_file, seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_digest_sign_in_and_a_sync(digest_server, tmp_path):
    from wizard.engine.http import make_session

    url, ca_file, seen = digest_server
    session = make_session(ca_bundles=[ca_file])
    try:
        client = DavClient(session, url, user=USER, password=PASSWORD)
        mk = '<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:' \
             'xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/>' \
             '<card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>'
        client.request("MKCOL", f"{url}/{USER}/contacts/", body=mk, ok=(201,))
        found = choose(discover(client))
        assert list(found) == ["contact"]
        org = MemoryOrg()
        org.privileged = {ME}
        org.create("contact", {"firstname": "Ann", "lastname": "Digest"}, owner=ME)
        side = DavSide(client, found, tmp_path / "index.sqlite3")
        assert Synchronizer(side, MemoryOrgSide(org, ME)).run().counts() == {
            "mailbox-create": 1}
        side.close()
        assert "Digest" in seen and "Basic" not in seen
        wrong = DavClient(session, url, user=USER, password="not-it")
        with pytest.raises(DavAuthFailed):
            discover(wrong)
    finally:
        session.close()

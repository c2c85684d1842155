"""The leak checker finds what it must (or every "no secrets on disk" test is hollow)."""

from __future__ import annotations

import base64
import json
import sqlite3
import zipfile

import pytest

from tests.fixtures.leaks import assert_no_secrets_under, find_secrets_under

PASSWORD = "Correct-Horse-7!"
JWT = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGFAY29udG9zby5leGFtcGxlIn0."
       "c2lnbmF0dXJlLXNpZ25hdHVyZQ")
REFRESH = "0.ARoA" + "x" * 120


def test_clean_tree_passes(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "organizations.json").write_text(json.dumps({
        "schema_version": 1, "orgs": [{"key": "3e84e9326c10466b929b87911897de6e",
                                       "org_id": "22222222-2222-2222-2222-222222222222",
                                       "save_credentials": True, "auth_method": "oauth",
                                       "password": None, "user": "ada@contoso.example"}]}))
    (tmp_path / "logs.txt").write_text("Authorization: Bearer <redacted>\npassword=***\n")
    assert_no_secrets_under(tmp_path, [PASSWORD])


def test_missing_dir_is_clean(tmp_path):
    assert find_secrets_under(tmp_path / "nope", [PASSWORD]) == []


@pytest.mark.parametrize("content", [
    PASSWORD.encode(),
    PASSWORD.encode("utf-16-le"),
    base64.b64encode(PASSWORD.encode()),
    b"user=ada " + base64.b64encode(b"ada:" + PASSWORD.encode()),
])
def test_known_needles_in_any_encoding(tmp_path, content):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "file.bin").write_bytes(b"prefix " + content + b" suffix")
    findings = find_secrets_under(tmp_path, [PASSWORD, "ada:" + PASSWORD], shapes=False)
    assert findings and "file.bin" in findings[0]
    with pytest.raises(AssertionError, match="secrets leaked"):
        assert_no_secrets_under(tmp_path, [PASSWORD, "ada:" + PASSWORD])


@pytest.mark.parametrize("text, shape", [
    (f"token cached: {JWT}", "JWT"),
    (f'{{"secret": "{REFRESH}"}}', "refresh token"),
    ("GET / Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "Authorization header"),
    ("Authorization: NTLM TlRMTVNTUAADAAAAGAAYAHAAAAA=", "Authorization header"),
    ('{"refresh_token": "AQABAAEAAAD--DLA3VO7QrddgJg7Wev"}', "secret field"),
    ("login with password=hunter2hunter2", "secret field"),
])
def test_secret_shapes_without_needles(tmp_path, text, shape):
    (tmp_path / "app.log").write_text(text)
    findings = find_secrets_under(tmp_path)
    assert any(shape in f for f in findings), findings


def _sqlite_row(db, pragma: str, value: str) -> sqlite3.Connection:
    """A database at ``db`` set up with ``pragma``, holding ``value`` in one committed row;
    the connection is still open."""
    conn = sqlite3.connect(db)
    conn.execute(pragma)
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (value,))
    conn.commit()
    return conn


def test_sqlite_values_split_over_overflow_pages_are_found(tmp_path):
    long_secret = "S3cr3t-" + "q" * 9000 + "-end"
    db = tmp_path / "mailbox.sqlite3"
    _sqlite_row(db, "PRAGMA page_size = 1024", long_secret).close()
    assert long_secret.encode() not in db.read_bytes()  # a byte search alone would miss it
    findings = find_secrets_under(tmp_path, [long_secret], shapes=False)
    assert any("SQLite rows" in f for f in findings), findings


def test_sqlite_wal_files_are_searched(tmp_path):
    db = tmp_path / "m.sqlite3"
    conn = _sqlite_row(db, "PRAGMA journal_mode=WAL", PASSWORD)
    try:
        findings = find_secrets_under(tmp_path, [PASSWORD], shapes=False)
    finally:
        conn.close()
    assert findings


def test_zip_members_are_searched(tmp_path):
    with zipfile.ZipFile(tmp_path / "diagnostics.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("logs/app.log", f"signed in with {JWT}")
    findings = find_secrets_under(tmp_path)
    assert any("diagnostics.zip!logs/app.log" in f for f in findings), findings


def test_short_needles_are_refused(tmp_path):
    with pytest.raises(ValueError):
        find_secrets_under(tmp_path, ["abc"])


def test_fixture_checks_the_test_home(leak_check, wizard_home):
    wizard_home.mkdir(parents=True, exist_ok=True)
    (wizard_home / "x.txt").write_text("nothing to see")
    leak_check(PASSWORD)
    (wizard_home / "x.txt").write_text(PASSWORD)
    with pytest.raises(AssertionError):
        leak_check(PASSWORD)

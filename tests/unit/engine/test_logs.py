"""Redaction of logs and diagnostics: no secret survives, in any of the shapes it travels in."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import string
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wizard.engine import logs
from wizard.engine.logs import MASK, redact, setup_logging, shutdown_logging
from wizard.engine.paths import AppPaths

B64URL = string.ascii_letters + string.digits + "-_"
B64 = string.ascii_letters + string.digits + "+/"

# No test is timed: hypothesis' per-example deadline would make a busy CI machine flaky.
untimed = settings(deadline=None)
surrounding = st.text(max_size=60)
# Secrets as they really look: printable, no line breaks, long enough to be worth stealing.
secret_text = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E),
                      min_size=8, max_size=40)
token_text = st.text(alphabet=B64URL + ".~", min_size=8, max_size=60)
b64url = st.text(alphabet=B64URL, min_size=10, max_size=80)
keys = st.sampled_from(logs.SECRET_KEYS)


def _clean(secret: str, *texts: str) -> None:
    for t in texts:
        assume(secret not in t)


def _never_survives(secret: str, form: str, prefix: str, suffix: str) -> None:
    """``form`` holds ``secret`` once; the rest of the text must not contain it by chance."""
    _clean(secret, prefix, suffix, form.replace(secret, "\x00", 1))
    assume(form.count(secret) == 1)
    assume(secret not in MASK and "[REDACTED" not in secret)  # indistinguishable from the mask
    text = prefix + form + suffix
    assert secret in text
    out = redact(text)
    assert secret not in out, (text, out)
    assert MASK in out
    assert redact(out) == out  # idempotent


@untimed
@given(b64url, b64url, b64url, surrounding, surrounding)
def test_jwt_never_survives(header, payload, signature, prefix, suffix):
    jwt = f"eyJ{header}.{payload}.{signature}"
    _never_survives(jwt, jwt, prefix, suffix)
    for part in (payload, signature):
        assume(part not in prefix + suffix + "eyJ")
        assert part not in redact(prefix + jwt + suffix)


@untimed
@given(st.sampled_from("01"), st.text(alphabet=B64URL + ".", min_size=40, max_size=120),
       surrounding, surrounding)
def test_bare_entra_refresh_token_never_survives(first, body, prefix, suffix):
    token = f"{first}.A{body}"
    _never_survives(token, token, prefix + " ", " " + suffix)


@untimed
@given(st.sampled_from(logs.SECRET_KEYS + ("code",)), secret_text, surrounding, surrounding)
def test_query_string_value_never_survives(key, secret, prefix, suffix):
    encoded = quote(secret, safe="")
    url = f"https://login.example/common/oauth2/v2.0/authorize?client_id=abc&{key}={encoded}&state=x"
    _never_survives(encoded, url, prefix + " ", " " + suffix)
    url = f"http://localhost:53100/?{key}={encoded}"
    _never_survives(encoded, url, prefix + " ", suffix)


@untimed
@given(st.sampled_from(logs.SECRET_KEYS + ("code",)), secret_text, surrounding, surrounding)
def test_form_body_value_never_survives(key, secret, prefix, suffix):
    encoded = quote_plus(secret)
    body = f"grant_type=authorization_code&{key}={encoded}&client_id=51f81489"
    _never_survives(encoded, body, prefix + "\n", suffix)
    body = f"{key}={encoded}"
    _never_survives(encoded, body, prefix + "\n", "&" + suffix)


@untimed
@given(keys, secret_text, surrounding, surrounding)
def test_json_value_never_survives(key, secret, prefix, suffix):
    doc = json.dumps({"token_type": "Bearer", key: secret, "expires_in": 3599})
    escaped = json.dumps(secret)[1:-1]
    _never_survives(escaped, doc, prefix, suffix)
    assert secret not in redact(prefix + doc + suffix) or secret in prefix + suffix + "Bearer3599"


@untimed
@given(keys, secret_text, surrounding, surrounding)
def test_python_repr_value_never_survives(key, secret, prefix, suffix):
    doc = repr({"user": "alice", key: secret})
    escaped = repr(secret)[1:-1]
    _never_survives(escaped, doc, prefix, suffix)


@untimed
@given(st.text(alphabet=B64URL + ".", min_size=20, max_size=60), surrounding, surrounding)
def test_json_oauth_code_never_survives(secret, prefix, suffix):
    assume(not logs._ERROR_CODE_VALUE.fullmatch(secret))
    doc = json.dumps({"code": secret, "state": "abc"})
    _never_survives(secret, doc, prefix, suffix)


def test_json_error_codes_stay_readable():
    dataverse = '{"error": {"code": "0x80040265", "message": "Privilege check failed"}}'
    entra = '{"error": "invalid_grant", "code": "invalid_grant", "error_codes": [50076]}'
    assert redact(dataverse) == dataverse
    assert redact(entra) == entra
    assert redact("HTTP 403, code 0x80040265") == "HTTP 403, code 0x80040265"


@untimed
@given(st.sampled_from(["Authorization", "Proxy-Authorization", "authorization"]),
       st.sampled_from(["Bearer", "Basic", "NTLM", "Negotiate"]), token_text,
       surrounding, surrounding)
def test_auth_header_line_never_survives(header, scheme, secret, prefix, suffix):
    line = f"{header}: {scheme} {secret}"
    _never_survives(secret, line, prefix + "\n", "\n" + suffix)
    # in a headers dict as requests/urllib3 log it
    _never_survives(secret, repr({header: f"{scheme} {secret}", "Accept": "*/*"}), prefix, suffix)
    _never_survives(secret, json.dumps({header: f"{scheme} {secret}"}), prefix, suffix)


@untimed
@given(st.sampled_from(["Cookie", "Set-Cookie"]), secret_text, surrounding, surrounding)
def test_cookie_header_never_survives(header, secret, prefix, suffix):
    value = quote(secret, safe="")
    _never_survives(value, f"{header}: ESTSAUTH={value}; path=/; secure", prefix + "\n",
                    "\n" + suffix)
    _never_survives(value, repr({header: f"buid={value}"}), prefix, suffix)


@untimed
@given(st.sampled_from(["Bearer", "Basic"]), token_text, surrounding, surrounding)
def test_scheme_credential_anywhere_never_survives(scheme, secret, prefix, suffix):
    assume(not secret.startswith(("[", ".", "~")))
    _never_survives(secret, f"sending {scheme} {secret}", prefix + " ", " " + suffix)


@untimed
@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12),
       secret_text, surrounding, surrounding)
def test_url_userinfo_never_survives(user, secret, prefix, suffix):
    password = quote(secret, safe="")
    url = f"https://{user}:{password}@crm.contoso.example:5555/contoso/main.aspx"
    _never_survives(password, url, prefix + " ", suffix)
    url = f"http://{user}:{password}@proxy.contoso.example:3128"
    _never_survives(password, url, prefix + " ", " " + suffix)


@untimed
@given(st.binary(min_size=16, max_size=120), surrounding, surrounding)
def test_ntlm_and_negotiate_blobs_never_survive(payload, prefix, suffix):
    ntlm = base64.b64encode(b"NTLMSSP\x00\x03\x00\x00\x00" + payload).decode()
    _never_survives(ntlm, ntlm, prefix + " ", " " + suffix)  # bare blob
    _never_survives(ntlm, f"WWW-Authenticate: NTLM {ntlm}", prefix + "\n", "\n" + suffix)
    spnego = base64.b64encode(b"\x60\x82\x01\x00" + payload + b"\x00" * 12).decode()
    _never_survives(spnego, f"WWW-Authenticate: Negotiate {spnego}", prefix + "\n", suffix)


def test_bearer_challenge_parameters_stay_readable():
    challenge = ('WWW-Authenticate: Bearer authorization_uri=https://login.example/tenant/'
                 'oauth2/authorize, resource_id=https://contoso.crm.dynamics.com/')
    assert redact(challenge) == challenge


@pytest.mark.parametrize("text", [
    "GET https://contoso.crm4.dynamics.com/api/data/v9.2/WhoAmI 200",
    "AADSTS50076: Due to a configuration change you must use multi-factor authentication.",
    "retrying after 429, Retry-After: 2",
    "user alice@contoso.example signed in to tenant 7f3c2a51-6b1e-4c1a-9d2e-0c5a1f2b3c4d",
])
def test_ordinary_log_lines_are_unchanged(text):
    assert redact(text) == text


# -- setup_logging --------------------------------------------------------------------

@pytest.fixture
def paths(tmp_path):
    yield AppPaths.resolve(tmp_path / "home")
    shutdown_logging()


def test_log_file_is_written_redacted_and_private(paths):
    setup = setup_logging(paths)
    assert setup.log_file == paths.log_dir / "d365-orgs.log"
    log = logging.getLogger("wizard.test")
    log.info("token response %s", {"access_token": "eyJabc.def.ghi", "refresh_token": "0.AAA-rt"})
    log.debug("hidden without verbose")
    try:
        raise RuntimeError("failed with Authorization: Bearer sekrit-token-value")
    except RuntimeError:
        log.exception("request failed for https://bob:hunter2pass@proxy.example:3128")
    for h in logging.getLogger().handlers:
        h.flush()
    text = setup.log_file.read_text()
    assert "token response" in text and MASK in text
    for secret in ("eyJabc", "0.AAA-rt", "sekrit-token-value", "hunter2pass"):
        assert secret not in text
    assert "hidden without verbose" not in text
    assert "Traceback" in text
    if os.name == "posix":
        assert stat.S_IMODE(setup.log_file.stat().st_mode) == 0o600


def test_verbose_logs_debug_and_echoes_to_console(paths, capsys):
    import sys

    setup = setup_logging(paths, verbose=True, console=sys.stderr)
    logging.getLogger("msal.application").debug("client_secret=abcdefgh12345 used")
    err = capsys.readouterr().err
    assert "client_secret=[REDACTED]" in err and "abcdefgh12345" not in err
    assert setup.level == logging.DEBUG


def test_setup_twice_does_not_duplicate_lines(paths):
    setup_logging(paths)
    setup = setup_logging(paths)
    logging.getLogger("wizard").warning("once")
    for h in logging.getLogger().handlers:
        h.flush()
    assert setup.log_file.read_text().count("once") == 1


def test_logs_rotate(paths, monkeypatch):
    monkeypatch.setattr(logs, "LOG_MAX_BYTES", 2000)
    setup = setup_logging(paths)
    for i in range(200):
        logging.getLogger("wizard").info("line %d %s", i, "x" * 40)
    names = sorted(p.name for p in paths.log_dir.iterdir())
    assert "d365-orgs.log.1" in names
    assert len([n for n in names if n.startswith("d365-orgs.log")]) <= logs.LOG_BACKUP_COUNT + 1
    recent = logs.recent_log_text(paths)
    assert setup.log_file.name in recent


def test_unwritable_log_dir_is_reported_not_fatal(tmp_path):
    blocker = tmp_path / "home" / "logs"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the log dir should be")
    setup = setup_logging(AppPaths.resolve(tmp_path / "home"))
    try:
        assert setup.log_file is None and "cannot be written" in setup.problem
        logging.getLogger("wizard").info("still fine")
    finally:
        shutdown_logging()


def test_a_secret_word_as_a_json_value_does_not_mask_the_next_key():
    text = '{\n    "grant_type": "password",\n    "params": null,\n    "scope": ["openid"]\n}'
    assert redact(text) == text

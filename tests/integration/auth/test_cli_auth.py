"""d365-orgs signin/signout/discover/add/test/doctor as subprocesses against the sandbox.

No TTY anywhere: flags give every answer. The second process gets its token silently
from the encrypted cache the first one wrote, with the key in the real gnome-keyring.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.fixtures.leaks import assert_no_secrets_under
from wizard.sandbox import seed

pytestmark = [pytest.mark.sandbox, pytest.mark.keyring]

ALICE = f"alice@{seed.TENANT_DOMAIN}"
PW = seed.PRACTICE_PASSWORD
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.")


def run(sandbox, *argv, stdin: str | None = None, ok: bool = True):
    cmd = [sys.executable, "-m", "wizard.cli", "--cloud-file", str(sandbox.cloud_file),
           "--json", "--verbose", *argv]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ), stdin=None if stdin is not None else
                          subprocess.DEVNULL)
    out = json.loads(proc.stdout) if proc.stdout.strip() else None
    # Nothing a command prints (also with --verbose) holds a password or a token.
    printed = proc.stdout + proc.stderr
    assert PW not in printed and not JWT.search(printed), printed
    if ok:
        assert proc.returncode == 0, (proc.stdout, proc.stderr)
    return proc, out


def test_signin_add_test_signout_across_processes(sandbox, private_keyring, wizard_home):
    # 1. Sign in to the cloud (password sign-in: the sandbox allows it).
    _, out = run(sandbox, "signin", "--user", ALICE, "--password-stdin", stdin=PW + "\n")
    assert out["user"] == ALICE and out["cloud"] == "sandbox"
    # 2. Another process discovers the orgs silently (tokens from the encrypted cache).
    _, out = run(sandbox, "discover")
    names = {o["unique_name"]: o for o in out["orgs"]}
    assert names["contosona"]["can_add"] and not names["contosoretired"]["can_add"]
    assert "disabled" in names["contosoretired"]["reason"]
    # 3. add --online --pick: silent again.
    _, out = run(sandbox, "add", "--online", "--pick", "contosona")
    assert out["created"] and out["org"]["user"] == ALICE
    assert out["org"]["org_id"] == sandbox.org("contosona").org_id
    # 4. add URL (silent: the same account serves the other org).
    _, out = run(sandbox, "add", sandbox.org_urls["contosojp"], "--user", ALICE)
    assert out["org"]["unique_name"] == "contosojp"
    # 5. test: every step passes.
    proc, out = run(sandbox, "test", "contosona")
    assert out["ok"], out
    assert [s["status"] for s in out["steps"]] == ["passed"] * 13
    # 6. doctor: the same plus facts.
    _, out = run(sandbox, "doctor", "1")
    assert out["environment"]["keyring"]["available"]
    assert "encrypted" in out["environment"]["token_cache"]
    # The cache file exists, is encrypted, and the key is in the keyring only.
    cache = wizard_home / "cache" / "msal_token_cache.bin"
    raw = cache.read_bytes()
    assert raw.startswith(b"D365WTC1\n") and b"." not in raw[9:]  # Fernet: no JWT inside
    keys = [attrs for attrs, _ in private_keyring.all_secrets()]
    assert any("token-cache-key" in json.dumps(a) for a in keys)
    # 7. sign out of both orgs: the next test cannot sign in silently.
    run(sandbox, "signout", "contosona")
    run(sandbox, "signout", "contosojp")
    proc, out = run(sandbox, "test", "contosona", ok=False)
    assert proc.returncode == 1
    st = {s["name"]: s["status"] for s in out["steps"]}
    assert st["signin"] == "failed" and out["error"]["code"] == "signin_required"
    assert_no_secrets_under(wizard_home, [PW])


def test_add_without_access_leaves_nothing(sandbox, private_keyring, wizard_home):
    proc, out = run(sandbox, "add", sandbox.org_urls["contosoretired"], "--user",
                    f"bob@{seed.TENANT_DOMAIN}", "--password-stdin", stdin=PW + "\n", ok=False)
    assert proc.returncode == 1 and out["error"]["code"] in ("access_denied", "org_disabled")
    _, out = run(sandbox, "list")
    assert out["orgs"] == [] if isinstance(out, dict) else out == []
    assert_no_secrets_under(wizard_home, [PW])


def test_pick_required_without_tty(sandbox, private_keyring):
    run(sandbox, "signin", "--user", ALICE, "--password-stdin", stdin=PW + "\n")
    proc, out = run(sandbox, "add", "--online", ok=False)
    assert out["error"]["code"] == "pick_required" and "contosona" in out["error"]["message"]


def test_device_code_prints_code_on_stderr(sandbox, wizard_home):
    """Device code from the CLI: a thread plays the person who types the code."""
    import re

    from tests.fixtures.browser import ScriptedBrowser

    cmd = [sys.executable, "-m", "wizard.cli", "--cloud-file", str(sandbox.cloud_file),
           "--json", "signin", "--device-code"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = proc.stderr.readline()
        code = re.search(r"code ([A-Z0-9-]+)", line).group(1)
        browser = ScriptedBrowser(sandbox, ALICE, device_code=code)
        browser.open(f"{sandbox.discovery_url}/devicelogin")
        out, err = proc.communicate(timeout=60)
        browser.join()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert json.loads(out)["user"] == ALICE


def test_two_processes_signing_in_at_once_keep_both(sandbox, private_keyring, wizard_home):
    cmd = [sys.executable, "-m", "wizard.cli", "--cloud-file", str(sandbox.cloud_file),
           "--json", "signin", "--password-stdin", "--user"]
    users = [ALICE, f"bob@{seed.TENANT_DOMAIN}"]
    procs = [subprocess.Popen(cmd + [u], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for u in users]
    for p in procs:
        out, err = p.communicate(PW + "\n", timeout=120)
        assert p.returncode == 0, err
    for u in users:  # both sign-ins survived: each is usable silently
        _, out = run(sandbox, "discover", "--user", u)
        assert out["user"] == u


def test_remove_drops_tokens_only_when_no_other_org_uses_them(sandbox, private_keyring):
    run(sandbox, "signin", "--user", ALICE, "--password-stdin", stdin=PW + "\n")
    run(sandbox, "add", "--online", "--pick", "contosona", "--pick", "contosojp")
    run(sandbox, "remove", "contosojp", "--yes")
    _, out = run(sandbox, "test", "contosona")
    assert out["ok"]  # the account still serves the other org
    run(sandbox, "remove", "contosona", "--yes")
    proc, out = run(sandbox, "discover", "--user", ALICE, ok=False)
    assert out["error"]["code"] == "signin_required"


def test_onprem_windows_password_saved_in_keyring_only(sandbox, private_keyring, wizard_home):
    url = sandbox.org_urls["contosoonprem"]
    _, out = run(sandbox, "add", url, "--user", "CONTOSO\\alice", "--password-stdin",
                 "--save-password", stdin=PW + "\n")
    assert out["org"]["auth_method"] == "ntlm" and out["org"]["save_credentials"]
    key = out["org"]["key"]
    saved = [s for attrs, s in private_keyring.all_secrets() if key in json.dumps(attrs)]
    assert saved == [PW]
    # Another process connects with the saved password, no questions asked.
    _, out = run(sandbox, "test", "contosoonprem")
    st = {s["name"]: s["status"] for s in out["steps"]}
    assert st["signin"] == "passed" and st["whoami"] == "passed"
    assert_no_secrets_under(wizard_home, [PW])
    run(sandbox, "signout", "contosoonprem")
    assert not [s for attrs, s in private_keyring.all_secrets() if key in json.dumps(attrs)]
    proc, out = run(sandbox, "test", "contosoonprem", ok=False)
    signin = next(s for s in out["steps"] if s["name"] == "signin")
    assert signin["status"] == "failed" and signin["code"] == "windows_credentials_required"
    assert_no_secrets_under(wizard_home, [PW])

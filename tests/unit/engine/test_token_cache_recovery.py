"""A corrupt or undecryptable token cache is moved aside and the user is told to sign in
again; it is never silently replaced."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from tests.unit.engine.test_token_cache import FakeSecrets, token_event, usernames
from wizard.engine.auth import Authenticator
from wizard.engine.http import make_session
from wizard.engine.signin_errors import NotSignedIn
from wizard.engine.token_cache import _MAGIC, CACHE_KEY_NAME, EncryptedTokenCache


def good_cache(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    EncryptedTokenCache(path, secrets).add(token_event("alice@contoso.example", "oid-a"))
    return secrets, path


def moved(path):
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


@pytest.mark.parametrize("damage", [
    lambda raw: b"garbage that is not the cache format",
    lambda raw: raw[: len(raw) // 2],                                   # truncated
    lambda raw: _MAGIC + Fernet(Fernet.generate_key()).encrypt(b"{}"),  # another key
    lambda raw: _MAGIC + b"\xff\xfe not base64",
])
def test_a_damaged_cache_is_moved_aside_and_reported(tmp_path, damage):
    secrets, path = good_cache(tmp_path)
    original = damage(path.read_bytes())
    path.write_bytes(original)
    cache = EncryptedTokenCache(path, secrets)
    assert usernames(cache) == set()
    [aside] = moved(path)
    assert aside.read_bytes() == original            # kept for the helpdesk
    assert "Sign in again" in cache.recovery and str(aside) in cache.recovery
    assert cache.status == cache.recovery
    auth = Authenticator(session=make_session(), cache=cache)

    class NoAccounts:          # msal's app without the network: what the cache holds
        def get_accounts(self, username=None):
            return []
    auth.app = lambda *a, **k: NoAccounts()
    with pytest.raises(NotSignedIn) as info:
        auth.silent("https://login.microsoftonline.com/organizations", ["x/.default"])
    assert info.value.code == "token_cache_reset" and "Sign in again" in str(info.value)
    # and the cache works again for a new sign-in
    cache.add(token_event("alice@contoso.example", "oid-a"))
    assert usernames(EncryptedTokenCache(path, secrets)) == {"alice@contoso.example"}


def test_a_cache_whose_key_left_the_keyring_is_moved_aside_not_deleted(tmp_path):
    secrets, path = good_cache(tmp_path)
    original = path.read_bytes()
    del secrets.data[CACHE_KEY_NAME]
    cache = EncryptedTokenCache(path, secrets)
    [aside] = moved(path)
    assert aside.read_bytes() == original
    assert "no longer in the keyring" in cache.recovery


def test_a_healthy_cache_reports_nothing(tmp_path):
    secrets, path = good_cache(tmp_path)
    cache = EncryptedTokenCache(path, secrets)
    assert cache.recovery is None and moved(path) == []
    assert usernames(cache) == {"alice@contoso.example"}

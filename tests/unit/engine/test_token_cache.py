"""The encrypted msal token cache: encrypted at rest, merged across processes."""

from __future__ import annotations

import base64
import json
import time

import msal

from wizard.engine.token_cache import CACHE_KEY_NAME, EncryptedTokenCache


class FakeSecrets:
    def __init__(self, available=True):
        self.available = available
        self.unavailable_reason = None if available else "no keyring here"
        self.backend_name = "fake"
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value):
        if not self.available:
            raise RuntimeError("unavailable")
        self.data[key] = value

    def delete(self, key):
        self.data.pop(key, None)


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def token_event(user: str, oid: str, tid: str = "tenant-1", secret: str = "AT-SECRET"):
    id_token = ".".join([_b64({"alg": "none"}), _b64({
        "oid": oid, "tid": tid, "preferred_username": user, "iss": f"https://idp/{tid}/v2.0",
        "sub": oid, "aud": "client", "iat": int(time.time()), "exp": int(time.time()) + 3600,
    }), "sig"])
    return {
        "client_id": "client", "scope": ["https://org.example/user_impersonation"],
        "token_endpoint": f"https://idp.example/{tid}/oauth2/v2.0/token",
        "grant_type": "authorization_code",
        "response": {
            "access_token": f"{secret}-{oid}", "refresh_token": f"RT-SECRET-{oid}",
            "id_token": id_token, "expires_in": 3600, "token_type": "Bearer",
            "client_info": _b64({"uid": oid, "utid": tid}),
            "scope": "https://org.example/user_impersonation",
        },
    }


def usernames(cache) -> set[str]:
    return {a["username"] for a in cache.search(msal.TokenCache.CredentialType.ACCOUNT)}


def test_persisted_encrypted_and_reloaded(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    cache = EncryptedTokenCache(path, secrets)
    assert cache.persistent and CACHE_KEY_NAME in secrets.data
    cache.add(token_event("alice@contoso.example", "oid-a"))
    raw = path.read_bytes()
    assert b"AT-SECRET" not in raw and b"RT-SECRET" not in raw and b"alice" not in raw
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = EncryptedTokenCache(path, secrets)
    assert usernames(again) == {"alice@contoso.example"}


def test_two_instances_merge_instead_of_overwriting(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    one = EncryptedTokenCache(path, secrets)
    two = EncryptedTokenCache(path, secrets)
    one.add(token_event("alice@contoso.example", "oid-a"))
    two.add(token_event("bob@contoso.example", "oid-b"))  # two never saw alice in memory
    three = EncryptedTokenCache(path, secrets)
    assert usernames(three) == {"alice@contoso.example", "bob@contoso.example"}
    assert usernames(one) == usernames(three)  # one reloads what two wrote


def test_removal_in_one_instance_is_seen_by_the_other(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    one = EncryptedTokenCache(path, secrets)
    one.add(token_event("alice@contoso.example", "oid-a"))
    two = EncryptedTokenCache(path, secrets)
    for acct in list(two.search(msal.TokenCache.CredentialType.ACCOUNT)):
        two.remove_account(acct)
    assert usernames(one) == set()


def test_lost_key_starts_empty_and_never_reads_old_file(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    EncryptedTokenCache(path, secrets).add(token_event("alice@contoso.example", "oid-a"))
    secrets.data.clear()  # keyring was reset
    fresh = EncryptedTokenCache(path, secrets)
    assert fresh.persistent and usernames(fresh) == set()


def test_corrupt_file_starts_empty(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    EncryptedTokenCache(path, secrets)
    path.write_bytes(b"D365WTC1\nnot-a-fernet-token")
    assert usernames(EncryptedTokenCache(path, secrets)) == set()


def test_without_keyring_memory_only_and_says_so(tmp_path):
    path = tmp_path / "cache.bin"
    cache = EncryptedTokenCache(path, FakeSecrets(available=False))
    cache.add(token_event("alice@contoso.example", "oid-a"))
    assert not cache.persistent and not path.exists()
    assert "only while the app runs" in cache.status and "no keyring here" in cache.status
    assert usernames(cache) == {"alice@contoso.example"}


def test_clear(tmp_path):
    secrets = FakeSecrets()
    path = tmp_path / "cache.bin"
    cache = EncryptedTokenCache(path, secrets)
    cache.add(token_event("alice@contoso.example", "oid-a"))
    cache.clear()
    assert usernames(EncryptedTokenCache(path, secrets)) == set()

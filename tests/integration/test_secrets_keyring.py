"""Secrets through the real Secret Service (a private gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wizard.engine.context import Engine
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import (
    ORG_SECRET_NAMES,
    KeyringSecretStore,
    open_secret_store,
    org_secret_key,
    service_name_for,
)

pytestmark = pytest.mark.keyring


def _store(home) -> KeyringSecretStore:
    store = open_secret_store(service_name_for(AppPaths.resolve(home)))
    assert store.available, store.unavailable_reason
    assert isinstance(store, KeyringSecretStore)
    return store


def test_detects_the_secret_service(private_keyring, tmp_path):
    store = _store(tmp_path / "home")
    assert store.backend_name == "keyring.backends.SecretService.Keyring"
    assert store.unavailable_reason is None
    assert store.describe() == {
        "available": True, "unavailable_reason": None,
        "backend": "keyring.backends.SecretService.Keyring",
        "trusted_because": "a known secure keyring (Secret Service (GNOME Keyring, KWallet))"}


def test_round_trip(private_keyring, tmp_path):
    store = _store(tmp_path / "home")
    key = org_secret_key("0123abcd", "password")
    assert store.get(key) is None
    store.set(key, "pässwörd ✓ 1")
    assert store.get(key) == "pässwörd ✓ 1"
    store.set(key, "second")
    assert store.get(key) == "second"
    items = private_keyring.all_secrets()
    assert [(a["service"], a["username"], s) for a, s in items] == [
        (store.service, key, "second")]
    store.delete(key)
    store.delete(key)  # missing: no error
    assert store.get(key) is None
    assert private_keyring.all_secrets() == []


def test_a_secret_saved_by_one_process_is_read_by_another(private_keyring, tmp_path):
    home = tmp_path / "home"
    code = ("import sys; from wizard.engine.context import Engine; "
            "e = Engine.from_options(sys.argv[1]); e.secrets.set('org:p1:password', 'from-child')")
    subprocess.run([sys.executable, "-c", code, str(home)], check=True, timeout=60)
    assert Engine.from_options(str(home)).secrets.get("org:p1:password") == "from-child"


def test_delete_org_removes_that_org_and_nothing_else(private_keyring, tmp_path):
    store = _store(tmp_path / "home")
    for name in ORG_SECRET_NAMES:
        store.set(org_secret_key("orga", name), "a-" + name)
        store.set(org_secret_key("orgb", name), "b-" + name)
    store.set("global:token_cache_key", "g")
    store.delete_org("orga")
    left = {a["username"]: s for a, s in private_keyring.all_secrets()}
    assert left == {**{org_secret_key("orgb", n): "b-" + n for n in ORG_SECRET_NAMES},
                    "global:token_cache_key": "g"}
    store.delete_org("orga")  # again: nothing to delete, no error


def test_two_homes_do_not_see_each_others_secrets(private_keyring, tmp_path):
    one, two = _store(tmp_path / "one"), _store(tmp_path / "two")
    assert one.service != two.service
    one.set("org:x:password", "one's")
    assert two.get("org:x:password") is None
    two.set("org:x:password", "two's")
    assert one.get("org:x:password") == "one's"
    two.delete_org("x")
    assert one.get("org:x:password") == "one's"
    assert {a["service"] for a, _ in private_keyring.all_secrets()} == {one.service}


def test_engine_secrets_use_the_home_namespace(private_keyring, wizard_home):
    engine = Engine.from_options()
    assert engine.secrets.available
    assert engine.secrets.service == service_name_for(AppPaths.resolve(wizard_home))
    assert engine.secrets.service.startswith("d365-wizard@")


def test_nothing_is_written_under_the_home(private_keyring, wizard_home):
    engine = Engine.from_options()
    engine.secrets.set("org:x:password", "NeverOnDisk42")
    found = [p for p in wizard_home.rglob("*") if p.is_file()
             and b"NeverOnDisk42" in p.read_bytes()] if wizard_home.exists() else []
    assert found == []


def test_null_backend_is_refused_even_with_a_keyring_present(private_keyring, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    store = open_secret_store("d365-wizard@null")
    assert not store.available and "null" in store.unavailable_reason


def _unlock_without_prompt(conn, collection) -> None:
    """gnome-keyring's own unlock call (no prompter runs on a private bus)."""
    from jeepney import DBusAddress, new_method_call

    from tests.fixtures.keyring import KEYRING_PASSWORD

    service = DBusAddress("/org/freedesktop/secrets", "org.freedesktop.secrets",
                          "org.freedesktop.Secret.Service")
    session = conn.send_and_get_reply(
        new_method_call(service, "OpenSession", "sv", ("plain", ("s", "")))).body[1]
    gnome = DBusAddress("/org/freedesktop/secrets", "org.freedesktop.secrets",
                        "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface")
    conn.send_and_get_reply(new_method_call(
        gnome, "UnlockWithMasterPassword", "o(oayays)",
        (collection.collection_path, (session, b"", KEYRING_PASSWORD.encode(), "text/plain"))))


def test_locked_keyring_gives_a_helpful_error(private_keyring, tmp_path):
    import secretstorage

    from wizard.engine.secrets import KeyringLocked

    store = _store(tmp_path / "home")
    store.set("org:x:password", "LockedAway7")
    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        collection.lock()
        try:
            assert collection.is_locked()
            for call in (lambda: store.get("org:x:password"),
                         lambda: store.set("org:y:password", "Other8")):
                with pytest.raises(KeyringLocked) as info:
                    call()
                assert "keyring is locked" in str(info.value)
                assert "Unlock" in info.value.fix
                assert "LockedAway7" not in str(info.value) + (info.value.details or "")
        finally:
            _unlock_without_prompt(conn, collection)
        assert not collection.is_locked()
    finally:
        conn.close()
    assert store.get("org:x:password") == "LockedAway7"

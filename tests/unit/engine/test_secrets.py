"""SecretStore units: backend refusal with keyring's real fail/null/chainer backends,
error translation, the memory store, and service names per home."""

from __future__ import annotations

import hashlib

import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from wizard.engine.context import Engine
from wizard.engine.errors import SecretStoreUnavailable, WizardError
from wizard.engine.paths import AppPaths
from wizard.engine.secrets import (
    ORG_SECRET_NAMES,
    KeyringLocked,
    KeyringSecretStore,
    MemorySecretStore,
    SecretStoreError,
    UnavailableSecretStore,
    insecure_reason,
    open_secret_store,
    org_secret_key,
    service_name_for,
)


class VaultStub:
    """A secure-looking backend (duck-typed, so keyring never auto-detects it)."""

    priority = 5

    def __init__(self, error: BaseException | None = None) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.error = error

    def get_password(self, service, username):
        if self.error:
            raise self.error
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        if self.error:
            raise self.error
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if self.error:
            raise self.error
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("No such password!")
        del self.items[(service, username)]


class PlaintextKeyring(VaultStub):
    """Named like keyrings.alt's plaintext file backend."""

    priority = 50


class AltFileKeyring(VaultStub):
    priority = 50


AltFileKeyring.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize(("backend", "words"), [
    (fail.Keyring(), "no keyring backend"),
    (null.Keyring(), "disabled"),
    (PlaintextKeyring(), "not a secure keyring"),
    (AltFileKeyring(), "without real protection"),
])
def test_insecure_backends_are_refused_with_a_reason(backend, words):
    store = open_secret_store("d365-wizard@test", backend=backend)
    assert isinstance(store, UnavailableSecretStore)
    assert store.available is False
    assert words in store.unavailable_reason
    assert "Credentials will not be saved" in store.unavailable_reason
    assert store.get("k") is None
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set("k", "secret-value")
    assert "secret-value" not in str(info.value)
    assert isinstance(info.value, WizardError)
    store.delete("k")  # no error
    store.delete_org("abc")
    assert store.describe()["available"] is False


def test_null_backend_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    store = open_secret_store("d365-wizard@test")
    assert not store.available
    assert store.backend_name == "keyring.backends.null.Keyring"
    assert "null backend" in store.unavailable_reason


def test_unloadable_backend_from_the_environment_is_reported_not_raised(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.module.Keyring")
    store = open_secret_store("d365-wizard@test")
    assert not store.available
    assert "could not be opened" in store.unavailable_reason


def _chain(monkeypatch, members):
    """Make keyring's real ChainerBackend see exactly ``members`` (it asks get_all_keyring)."""
    import keyring.backend

    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: list(members))


def test_chainer_of_insecure_members_is_refused(monkeypatch):
    _chain(monkeypatch, [PlaintextKeyring(), null.Keyring()])
    store = open_secret_store("svc", backend=chainer.ChainerBackend())
    assert not store.available
    assert "chained keyrings are all insecure" in store.unavailable_reason


def test_empty_chainer_is_refused(monkeypatch):
    _chain(monkeypatch, [])
    assert not open_secret_store("svc", backend=chainer.ChainerBackend()).available


STUB = f"{VaultStub.__module__}.{VaultStub.__qualname__}"


def test_chainer_uses_its_secure_member_not_the_plaintext_one(monkeypatch):
    monkeypatch.setenv("D365_WIZARD_KEYRING_BACKEND", STUB)   # the stub stands for a vault
    plain, vault = PlaintextKeyring(), VaultStub()
    _chain(monkeypatch, [plain, vault])
    store = open_secret_store("svc", backend=chainer.ChainerBackend())
    assert store.available
    assert store.backend_name.endswith("VaultStub")
    store.set("k", "v")
    assert vault.items == {("svc", "k"): "v"} and plain.items == {}


def test_insecure_reason_accepts_the_os_keyrings(monkeypatch):
    from keyring.backends import SecretService, kwallet

    assert insecure_reason(SecretService.Keyring) is None
    assert insecure_reason(kwallet.DBusKeyring) is None
    assert "not a secure keyring" in insecure_reason(VaultStub())   # an allowlist
    monkeypatch.setenv("D365_WIZARD_KEYRING_BACKEND", STUB)
    assert insecure_reason(VaultStub()) is None


def test_keyring_store_round_trip_and_missing_delete():
    vault = VaultStub()
    store = KeyringSecretStore("svc", vault)
    assert store.available and store.backend_name.endswith("VaultStub")
    assert store.get("k") is None
    store.set("k", "välue ✓")
    assert store.get("k") == "välue ✓"
    store.delete("k")
    store.delete("k")  # already gone: no error
    assert store.get("k") is None


@pytest.mark.parametrize(("error", "cls", "words"), [
    (keyring.errors.KeyringLocked("Failed to unlock the collection!"), KeyringLocked, "locked"),
    (keyring.errors.InitError("Failed to create the collection: Prompt dismissed."),
     KeyringLocked, "dismissed"),
    (RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown"), SecretStoreError,
     "system keyring"),
])
def test_backend_errors_become_wizard_errors(error, cls, words):
    store = KeyringSecretStore("svc", VaultStub(error))
    for call in (lambda: store.get("k"), lambda: store.set("k", "TopSecret1"),
                 lambda: store.delete("k")):
        with pytest.raises(cls) as info:
            call()
        err = info.value
        assert isinstance(err, WizardError)
        assert words in str(err).lower()
        assert err.fix
        assert "TopSecret1" not in str(err) + (err.details or "")
        assert err.__suppress_context__


def test_prompt_dismissed_from_secretstorage_is_keyring_locked():
    from secretstorage.exceptions import PromptDismissedException

    store = KeyringSecretStore("svc", VaultStub(PromptDismissedException("Prompt dismissed.")))
    with pytest.raises(KeyringLocked) as info:
        store.get("k")
    assert info.value.code == "keyring_locked"


def test_memory_store_delete_org_removes_only_that_org():
    store = MemorySecretStore()
    for name in ORG_SECRET_NAMES:
        store.set(org_secret_key("aaa", name), f"a-{name}")
        store.set(org_secret_key("bbb", name), f"b-{name}")
    store.set("global:token_cache_key", "g")
    store.delete_org("aaa")
    assert all(store.get(org_secret_key("aaa", n)) is None for n in ORG_SECRET_NAMES)
    assert all(store.get(org_secret_key("bbb", n)) == f"b-{n}" for n in ORG_SECRET_NAMES)
    assert store.get("global:token_cache_key") == "g"


def test_org_secret_key_shape_and_validation():
    assert org_secret_key("3f2a", "password") == "org:3f2a:password"
    with pytest.raises(ValueError):
        org_secret_key("3f2a", "unknown_name")
    with pytest.raises(ValueError):
        org_secret_key("", "password")
    with pytest.raises(ValueError):
        org_secret_key("a:b", "password")
    with pytest.raises(ValueError):
        MemorySecretStore().set("", "x")


def test_service_name_default_home(monkeypatch):
    monkeypatch.delenv("D365_WIZARD_HOME")
    assert service_name_for(AppPaths.resolve()) == "d365-wizard"


def test_service_name_is_namespaced_per_home(tmp_path):
    a, b = AppPaths.resolve(tmp_path / "a"), AppPaths.resolve(tmp_path / "b")
    name_a = service_name_for(a)
    expected = hashlib.sha256(str((tmp_path / "a").absolute()).encode()).hexdigest()[:8]
    assert name_a == f"d365-wizard@{expected}"
    assert service_name_for(b) != name_a
    assert service_name_for(AppPaths.resolve(tmp_path / "a")) == name_a


def test_engine_secret_store_uses_the_home_service_name(tmp_path, monkeypatch):
    seen = {}

    def fake_open(service):
        seen["service"] = service
        return MemorySecretStore()

    monkeypatch.setattr("wizard.engine.secrets.open_secret_store", fake_open)
    engine = Engine.from_options(str(tmp_path / "home"))
    assert isinstance(engine.secrets, MemorySecretStore)
    assert seen["service"] == service_name_for(AppPaths.resolve(tmp_path / "home"))

"""The keyring policy is an allowlist of class paths: a plaintext backend with a neutral,
secure-sounding name is refused unless the user names it in D365_WIZARD_KEYRING_BACKEND,
and diagnostics then say so."""

from __future__ import annotations

import keyring.backend
import pytest

from wizard.engine.errors import SecretStoreUnavailable
from wizard.engine.secrets import ALLOW_ENV, SECURE_BACKENDS, insecure_reason, open_secret_store


class Vault(keyring.backend.KeyringBackend):
    """A backend that writes passwords in clear to a dict, under a neutral name."""

    priority = 20
    store: dict = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


Vault.__module__ = "keyrings.corporate.vault"
VAULT = "keyrings.corporate.vault.Vault"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    Vault.store = {}


def test_a_neutrally_named_backend_is_refused(monkeypatch):
    store = open_secret_store("svc", backend=Vault())
    assert not store.available
    assert "not a secure keyring" in store.unavailable_reason and ALLOW_ENV in store.unavailable_reason
    with pytest.raises(SecretStoreUnavailable):
        store.set("org:x:password", "hunter2-secret")
    assert Vault.store == {}


def test_a_neutrally_named_backend_is_not_picked_by_detection(monkeypatch):
    monkeypatch.setattr(keyring.backend.KeyringBackend, "get_viable_backends",
                        classmethod(lambda cls: [Vault]))
    store = open_secret_store("svc")
    assert not store.available


def test_the_user_may_name_one_other_backend_and_diagnostics_say_so(monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, VAULT)
    store = open_secret_store("svc", backend=Vault())
    assert store.available and store.backend_name == VAULT
    info = store.describe()
    assert ALLOW_ENV in info["trusted_because"]
    store.set("k", "v")
    assert Vault.store == {("svc", "k"): "v"}


def test_named_by_class_path_not_by_display_name():
    from keyring.backends import SecretService

    class Impostor(Vault):
        pass

    Impostor.__module__ = "keyring.backends.SecretService"
    Impostor.__qualname__ = "Keyring2"
    assert insecure_reason(Impostor()) is not None
    assert insecure_reason(SecretService.Keyring) is None
    assert set(SECURE_BACKENDS) >= {"keyring.backends.SecretService.Keyring",
                                    "keyring.backends.kwallet.DBusKeyring",
                                    "keyring.backends.macOS.Keyring",
                                    "keyring.backends.Windows.WinVaultKeyring"}


def test_the_secure_os_keyring_is_described(private_keyring):
    store = open_secret_store("svc")
    assert store.available
    assert "known secure keyring" in store.describe()["trusted_because"]

"""Failures with a way out (issue 16) on the real parts: the sandbox over HTTPS, real msal,
the real keyring policy (keyring's own ``fail`` backend is what a box without a Secret
Service offers), a real ``BROWSER`` launcher."""

from __future__ import annotations

import pytest

from tests.gui import journeys as j
from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_CREDENTIALS
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


@pytest.fixture
def no_keyring(monkeypatch):
    """No usable keyring: keyring itself picks its ``fail`` backend (as on a headless box)."""
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("D365_WIZARD_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None, raising=False)


@pytest.fixture
def real(sandbox, wizard_home):
    yield from j.sandbox_services(sandbox.cloud_file, wizard_home)


@pytest.fixture
def window(qtbot, real, runner):
    yield from j.open_window(qtbot, real, runner, timeout=10000)


def test_no_keyring_adds_the_org_without_saving_and_says_why(qtbot, no_keyring, window, real, sandbox):
    assert not real.keyring_state().available
    qtbot.wait_until(window.keyring_banner.isVisible, timeout=10000)
    wizard = j.add_by_url(qtbot, window, sandbox.org_urls["contosoonprem"])
    j.next_page(qtbot, wizard, PAGE_CREDENTIALS)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: not page.save_box.isEnabled(), timeout=10000)
    assert not page.save_box.isChecked()
    page.user_edit.setText("CONTOSO\\alice")
    page.password_edit.setText(seed.PRACTICE_PASSWORD)
    j.next_page(qtbot, wizard, PAGE_CONNECT)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    assert "no secure keyring" in wizard.currentPage().label.text()
    j.finish_wizard(qtbot, window, wizard)
    row = j.row_by_name(window, "contosoonprem")
    assert row.auth_method == "ntlm" and not row.save_credentials
    qtbot.wait_until(lambda: j.row_by_name(window, "contosoonprem").status not in ("checking", "unknown"),
                     timeout=20000)
    row = j.row_by_name(window, "contosoonprem")
    assert row.status == "needs_sign_in" and "no secure keyring" in row.status_text

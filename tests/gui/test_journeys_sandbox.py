"""Every journey of issue 5, driven through the GUI against the sandbox tenant over HTTPS
(real msal, real Web API, real registry and stamp)."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from tests.gui import journeys as j
from wizard.gui.add_org_wizard import PAGE_SIGN_IN
from wizard.sandbox import seed

pytestmark = pytest.mark.sandbox


@pytest.fixture
def window(sandbox_window):
    return sandbox_window


def _wait_status(qtbot, window, unique_name):
    qtbot.wait_until(lambda: j.row_by_name(window, unique_name).status not in ("checking", "unknown"),
                     timeout=20000)
    return j.row_by_name(window, unique_name)


def test_add_online_pick_one(qtbot, window, real):
    j.add_online(qtbot, window, {"contosona"})
    row = j.row_by_name(window, "contosona")
    assert row.is_primary and row.user == "alice@contoso.example" and row.org_id == seed.ORGS[0].org_id
    assert window.primary_label.text() == "Contoso (North America)"
    assert window.stamp_label.text() == "Contoso (North America)"
    assert _wait_status(qtbot, window, "contosona").status == "connected"


def test_add_online_pick_several_disabled_greyed(qtbot, window, real):
    wizard = j.add_online(qtbot, window, {"contosona", "contosojp", "contosoretired"}, finish=False)
    pick = wizard.pages[4]
    retired = next(r for r in range(pick.model.rowCount()) if pick.model.org_at(r).unique_name == "contosoretired")
    assert not pick.model.flags(pick.model.index(retired, 0))
    assert sorted(c.unique_name for c in wizard.connected) == ["contosojp", "contosona"]
    j.finish_wizard(qtbot, window, wizard)
    rows = window.model.rows()
    assert sorted(r.unique_name for r in rows) == ["contosojp", "contosona"]
    assert sum(r.is_primary for r in rows) == 1


def _sign_in_and_add(qtbot, window, wizard):
    """From the page after the address: sign in as Alice on the form and add the org."""
    j.next_page(qtbot, wizard, PAGE_SIGN_IN)
    j.form_sign_in(qtbot, wizard, "alice@contoso.example", seed.PRACTICE_PASSWORD)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.finish_wizard(qtbot, window, wizard)


def test_add_by_online_url(qtbot, window, real, sandbox):
    url = sandbox.org_urls["contosojp"] + "/main.aspx?appid=1234&pagetype=entitylist&etn=contact"
    wizard = j.add_by_url(qtbot, window, url)
    _sign_in_and_add(qtbot, window, wizard)
    assert [r.unique_name for r in window.model.rows()] == ["contosojp"]


def test_add_claims_based_org_by_url(qtbot, window, real, sandbox):
    """On-premises with AD FS: detected from the org's challenge, signed in on the AD FS form."""
    wizard = j.add_by_url(qtbot, window, sandbox.org_urls["contosoadfs"])
    assert "AD FS" in wizard.currentPage().label.text()
    _sign_in_and_add(qtbot, window, wizard)
    row = j.row_by_name(window, "contosoadfs")
    assert row.auth_method == "adfs" and row.kind == "onprem" and row.is_primary
    assert _wait_status(qtbot, window, "contosoadfs").status == "connected"


def test_bad_url_feedback(qtbot, window):
    wizard = j.open_wizard(qtbot, window)
    page = wizard.currentPage()
    page.url_edit.setText("https://make.powerapps.com/environments")
    assert page.feedback.text().startswith("✖") and not page.isComplete()
    page.url_edit.setText("https://contoso.crm4.dynamics.com/main.aspx#123")
    assert "https://contoso.crm4.dynamics.com" in page.feedback.text() and page.isComplete()
    wizard.reject()


@pytest.mark.keyring
def test_add_onprem_saved_and_unsaved_credentials(qtbot, private_keyring, window, real, sandbox):
    url = sandbox.org_urls["contosoonprem"]
    wizard = j.add_by_url(qtbot, window, url)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=False)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.finish_wizard(qtbot, window, wizard)
    assert not [s for _a, s in private_keyring.all_secrets() if s == seed.PRACTICE_PASSWORD]
    wizard = j.add_by_url(qtbot, window, url)
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", seed.PRACTICE_PASSWORD, save=True)
    j.wait_complete(qtbot, wizard)
    wizard.next()
    j.finish_wizard(qtbot, window, wizard)
    assert [s for _a, s in private_keyring.all_secrets() if s == seed.PRACTICE_PASSWORD]
    assert len(window.model.rows()) == 1


def _two(qtbot, window):
    j.add_online(qtbot, window, {"contosona", "contosojp"})
    return j.row_by_name(window, "contosona"), j.row_by_name(window, "contosojp")


def test_switch_ok_and_cancel(qtbot, window, real):
    na, jp = _two(qtbot, window)
    primary_key = next(r.key for r in window.model.rows() if r.is_primary)
    other = jp if primary_key == na.key else na
    dialog = j.open_switch_prompt(qtbot, window, other.key)
    assert other.display_name in dialog.plan_label.text()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize-cancelled"):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert real.registry.primary().key == primary_key
    dialog = j.open_switch_prompt(qtbot, window, other.key)
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert real.registry.primary().key == other.key
    assert real.engine.mailbox.stamp().org_name == other.display_name
    assert window.primary_label.text() == other.display_name


def _foreign_stamp(real):
    real.engine.mailbox.claim(str(uuid.uuid4()), "Fabrikam Sales", override=True)


def test_stamp_conflict_without_override(qtbot, window, real):
    na, jp = _two(qtbot, window)
    _foreign_stamp(real)
    primary = real.registry.primary()
    other = jp if primary.key == na.key else na
    dialog = j.open_switch_prompt(qtbot, window, other.key)
    assert dialog.override_box is not None and "Fabrikam Sales" in dialog.plan_label.text()
    dialog.help_button.click()
    assert dialog.help_label.isVisible()
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "synchronize", timeout=10000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    errors = j.close_errors()
    assert errors and "Fabrikam Sales" in errors[0]
    assert real.registry.primary().key == primary.key
    assert real.engine.mailbox.stamp().org_name == "Fabrikam Sales"


def test_stamp_conflict_with_override(qtbot, window, real):
    na, jp = _two(qtbot, window)
    _foreign_stamp(real)
    other = jp if real.registry.primary().key == na.key else na
    dialog = j.open_switch_prompt(qtbot, window, other.key)
    dialog.override_box.setChecked(True)
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert real.registry.primary().key == other.key
    assert real.engine.mailbox.stamp().org_name == other.display_name


def test_delete_and_rename(qtbot, window, real):
    na, jp = _two(qtbot, window)
    j.select(window, jp.key)
    window.properties()
    dialog = window.properties_dialog
    dialog.name_edit.setText("Japan sales")
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert real.registry.get(jp.key).display_name == "Japan sales"
    j.select(window, jp.key)
    window.delete()
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        j.answer_remove(qtbot)
    assert [p.unique_name for p in real.registry.list()] == ["contosona"]


def test_test_connection_failure_shows_fix(qtbot, window, real, sandbox):
    j.add_online(qtbot, window, {"contosona"})
    sandbox.faults.set("org_disabled", "contosona")
    j.select(window, j.row_by_name(window, "contosona").key)
    with qtbot.wait_signal(window.action_done, check_params_cb=lambda a: a == "test", timeout=20000):
        window.test_connection()
    dialog = window.test_dialog
    failed = dialog.model.failed()
    assert failed is not None and failed.fix
    assert failed.title in dialog.summary.text() and failed.fix in dialog.summary.text()
    assert j.row_by_name(window, "contosona").status == "error"


def test_sign_out(qtbot, window, real):
    j.add_online(qtbot, window, {"contosona"})
    _wait_status(qtbot, window, "contosona")
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        window.sign_out()
    assert j.row_by_name(window, "contosona").status == "needs_sign_in"
    key = j.row_by_name(window, "contosona").key
    assert real.check_status(key)[0] == "needs_sign_in"
    # ... and sign in again: the org's own sign-in dialog updates the same entry.
    from PySide6.QtCore import Qt

    window.sign_in()
    dialog = window.reauth_dialog
    qtbot.wait_until(dialog.isVisible, timeout=10000)
    dialog.user_edit.setText("alice@contoso.example")
    dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    with qtbot.wait_signal(window.orgs_loaded, timeout=20000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    dialog.close()
    assert [r.key for r in window.model.rows()] == [key]
    assert j.row_by_name(window, "contosona").status == "connected"


def test_mfa_user(qtbot, window, real):
    j.mfa_sign_in(qtbot, window)


def test_user_without_sync_privilege(qtbot, window, real):
    wizard = j.add_online(qtbot, window, {"contosona"}, username="bob@contoso.example", finish=False)
    text = wizard.currentPage().label.text()
    assert "Warning" in text and "Sync" in text
    j.finish_wizard(qtbot, window, wizard)


@pytest.mark.keyring
def test_no_network_keyring_or_registry_work_on_gui_thread(qtbot, private_keyring, window, real, monkeypatch):
    """A full add-org journey plus switch and delete: every HTTP request, keyring call and
    registry/mailbox write happens on a worker thread."""
    import requests

    from wizard.engine.orgs import OrgRegistry
    from wizard.engine.secrets import SecretStore
    from wizard.engine.stamp import MailboxStore

    spy = j.ThreadSpy(monkeypatch)
    spy.spy(requests.Session, "send")
    spy.spy(SecretStore, *(n for n in ("get", "set", "delete", "delete_org") if hasattr(SecretStore, n)))
    spy.spy(OrgRegistry, "list", "add", "update", "remove", "apply", "plan_switch", "_mutate")
    spy.spy(MailboxStore, "stamp", "claim", "record_sync")
    na, jp = _two(qtbot, window)
    other = jp if window.model.primary().key == na.key else na   # the test itself stays off the engine
    dialog = j.open_switch_prompt(qtbot, window, other.key)
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    j.select(window, na.key)
    window.delete()
    with qtbot.wait_signal(window.orgs_loaded, timeout=10000):
        j.answer_remove(qtbot)
    assert {"send", "_mutate", "claim", "get", "delete_org"} <= set(spy.calls)
    assert spy.on_gui == []


def test_wrong_onprem_password_fails_sign_in_and_offers_the_fix(qtbot, window, real, sandbox):
    """A rejected Windows password fails the Sign-in step (not the next one), and the fix
    button takes the user back to the password."""
    from PySide6.QtCore import Qt

    from wizard.gui.add_org_wizard import PAGE_CONNECT, PAGE_CREDENTIALS

    wizard = j.add_by_url(qtbot, window, sandbox.org_urls["contosoonprem"])
    j.enter_credentials(qtbot, wizard, "CONTOSO\\alice", "wrong", save=False)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: page.failure is not None, timeout=20000)
    states = {s.step_id: s.state for s in page.model.steps()}
    assert states["signin"] == "failed" and states["whoami"] == "skipped", states
    assert page.failure.step_id == "signin"
    assert page.fix_button.text() == "Enter the password…"
    qtbot.mouseClick(page.fix_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == PAGE_CREDENTIALS
    wizard.currentPage().password_edit.setText(seed.PRACTICE_PASSWORD)
    j.next_page(qtbot, wizard, PAGE_CONNECT)
    j.wait_complete(qtbot, wizard)
    assert {s.step_id: s.state for s in wizard.currentPage().model.steps()}["signin"] == "passed"
    wizard.reject()

"""Helpers that drive the GUI like a user (shared by the fake-services and sandbox tests)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton, QWizard

from wizard.gui.add_org_wizard import (
    PAGE_CONNECT,
    PAGE_CREDENTIALS,
    PAGE_DETECT,
    PAGE_PICK,
    PAGE_SIGN_IN,
    PAGE_SUMMARY,
    AddOrgWizard,
)

TIMEOUT = 20000


def open_window(qtbot, services, runner, *, timeout: int):
    """Generator for a ``window`` fixture: a shown MainWindow on ``services`` with its first
    list loaded; afterwards, the runner's tasks are cancelled and drained."""
    from wizard.gui.main_window import MainWindow

    win = MainWindow(services, runner=runner)
    qtbot.addWidget(win)
    win.show()
    with qtbot.wait_signal(win.orgs_loaded, timeout=timeout):
        win.start()
    yield win
    runner.cancel_all()
    assert runner.wait_for_done(30000)
    qtbot.wait(20)


class ThreadSpy:
    """Records each call of the spied methods, and which of them ran on the GUI thread."""

    def __init__(self, monkeypatch) -> None:
        self.monkeypatch = monkeypatch
        self.calls: list[str] = []
        self.on_gui: list[str] = []

    def spy(self, cls, *names: str) -> None:
        import threading

        for name in names:
            original = getattr(cls, name)

            def wrapper(*args, _original=original, _name=name, **kwargs):
                self.calls.append(_name)
                if threading.current_thread() is threading.main_thread():
                    self.on_gui.append(f"{cls.__name__}.{_name}")
                return _original(*args, **kwargs)

            self.monkeypatch.setattr(cls, name, wrapper)


def sandbox_services(cloud_file, home):
    """Generator for a ``real`` fixture: EngineServices on a sandbox tenant, closed afterwards."""
    from wizard.engine.context import Engine
    from wizard.engine.paths import AppPaths
    from wizard.gui.services import EngineServices

    services = EngineServices(Engine(AppPaths.resolve(home).ensure(), cloud_files=[cloud_file]),
                              sandbox_mode=True)
    yield services
    services.close()


def open_wizard(qtbot, window) -> AddOrgWizard:
    window.add()
    wizard = window.add_wizard
    qtbot.wait_until(wizard.isVisible, timeout=TIMEOUT)
    return wizard


def next_page(qtbot, wizard, expected: int) -> None:
    qtbot.wait_until(lambda: wizard.button(QWizard.WizardButton.NextButton).isEnabled(), timeout=TIMEOUT)
    wizard.next()
    assert wizard.currentId() == expected, (wizard.currentId(), expected)


def wait_complete(qtbot, wizard) -> None:
    qtbot.wait_until(lambda: wizard.currentPage().isComplete(), timeout=TIMEOUT)


def form_sign_in(qtbot, wizard, username: str, password: str, mfa: str = "") -> None:
    page = wizard.currentPage()
    assert wizard.currentId() == PAGE_SIGN_IN
    page.form_radio.setChecked(True)
    page.sign_in_button.click()
    dialog = page.dialog
    qtbot.wait_until(dialog.isVisible, timeout=TIMEOUT)
    dialog.user_edit.setText(username)
    dialog.password_edit.setText(password)
    if mfa:
        dialog.mfa_edit.setText(mfa)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def add_online(qtbot, window, names, *, username="alice@contoso.example", password=None, finish=True):
    from wizard.sandbox import seed

    wizard = open_wizard(qtbot, window)
    start = wizard.currentPage()
    start.online_radio.setChecked(True)
    if start.cloud_combo.findData("sandbox") >= 0:
        start.cloud_combo.setCurrentIndex(start.cloud_combo.findData("sandbox"))
    next_page(qtbot, wizard, PAGE_SIGN_IN)
    form_sign_in(qtbot, wizard, username, password or seed.PRACTICE_PASSWORD)
    wait_complete(qtbot, wizard)
    next_page(qtbot, wizard, PAGE_PICK)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: page.loaded, timeout=TIMEOUT)
    page.view.clearSelection()
    page.select_unique_names(names)
    next_page(qtbot, wizard, PAGE_CONNECT)
    wait_complete(qtbot, wizard)
    next_page(qtbot, wizard, PAGE_SUMMARY)
    if finish:
        finish_wizard(qtbot, window, wizard)
    return wizard


def mfa_sign_in(qtbot, window) -> None:
    """Carol, whose sign-in needs a verification code, signs in on the in-app form: the form
    asks for the code, and with it she is signed in (the wizard is then closed)."""
    from wizard.sandbox import seed

    wizard = open_wizard(qtbot, window)
    wizard.currentPage().online_radio.setChecked(True)
    next_page(qtbot, wizard, PAGE_SIGN_IN)
    form_sign_in(qtbot, wizard, "carol@contoso.example", seed.PRACTICE_PASSWORD)
    page = wizard.currentPage()
    qtbot.wait_until(lambda: page.dialog is not None and page.dialog.isVisible()
                     and page.dialog.mfa_edit.isVisible(), timeout=TIMEOUT)
    assert "multi-factor" in page.dialog.error_label.text()
    page.dialog.password_edit.setText(seed.PRACTICE_PASSWORD)
    page.dialog.mfa_edit.setText(seed.MFA_CODE)
    page.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    wait_complete(qtbot, wizard)
    assert "carol@contoso.example" in page.status.text()
    wizard.reject()


def finish_wizard(qtbot, window, wizard) -> None:
    with qtbot.wait_signal(window.orgs_loaded, timeout=TIMEOUT):
        with qtbot.wait_signal(wizard.committed, timeout=TIMEOUT):
            wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not wizard.isVisible()


def add_by_url(qtbot, window, url: str):
    wizard = open_wizard(qtbot, window)
    start = wizard.currentPage()
    start.url_edit.setText(url)
    assert "✔" in start.feedback.text(), start.feedback.text()
    next_page(qtbot, wizard, PAGE_DETECT)
    wait_complete(qtbot, wizard)
    return wizard


def enter_credentials(qtbot, wizard, username: str, password: str, save: bool) -> None:
    next_page(qtbot, wizard, PAGE_CREDENTIALS)
    page = wizard.currentPage()
    page.user_edit.setText(username)
    page.password_edit.setText(password)
    page.save_box.setChecked(save)
    next_page(qtbot, wizard, PAGE_CONNECT)


def message_boxes(name: str | None = None):
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and (name is None or w.objectName() == name)]


def answer(qtbot, box_name: str, button) -> None:
    qtbot.wait_until(lambda: bool(message_boxes(box_name)), timeout=TIMEOUT)
    box = message_boxes(box_name)[0]
    box.button(button).click()


def answer_remove(qtbot) -> None:
    """Confirm the Remove question with its Remove button (it has no Yes)."""
    qtbot.wait_until(lambda: bool(message_boxes("confirmDelete")), timeout=TIMEOUT)
    message_boxes("confirmDelete")[0].findChild(QPushButton, "removeButton").click()


def close_errors() -> list[str]:
    texts = []
    for box in message_boxes("errorBox"):
        texts.append(box.text() + "\n" + box.informativeText())
        box.close()
    return texts


def select(window, key: str) -> None:
    window.select_key(key)
    assert window.selected().key == key


def row_by_name(window, unique_name: str):
    return next(r for r in window.model.rows() if r.unique_name == unique_name)


def open_reauth(qtbot, window, unique_name: str, timeout: int = TIMEOUT):
    """Sign in… on the org ``unique_name`` of the list: its dialog, once shown."""
    select(window, row_by_name(window, unique_name).key)
    window.sign_in()
    dialog = window.reauth_dialog
    qtbot.wait_until(dialog.isVisible, timeout=timeout)
    return dialog


def open_switch_prompt(qtbot, window, key: str, timeout: int = TIMEOUT):
    """Synchronize… on the org ``key``: the switch prompt it opens (a new one), once shown."""
    select(window, key)
    before = getattr(window, "switch_dialog", None)
    window.synchronize()
    qtbot.wait_until(lambda: getattr(window, "switch_dialog", None) is not before
                     and window.switch_dialog.isVisible(), timeout=timeout)
    return window.switch_dialog

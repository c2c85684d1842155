from __future__ import annotations

import pytest

from tests.gui.fake_services import FakeServices
from tests.gui.journeys import open_window, sandbox_services
from wizard.gui.tasks import TaskRunner


@pytest.fixture
def runner(qtbot):
    runner = TaskRunner()
    yield runner
    runner.cancel_all()
    assert runner.wait_for_done(20000)
    # let queued deliveries land while the widgets still exist
    qtbot.wait(10)


@pytest.fixture
def japanese(qapp):
    """The app in Japanese for one test (the translators removed, the locale reset after)."""
    from PySide6.QtCore import QCoreApplication, QLocale

    from wizard.gui.i18n import install_translators

    translators = install_translators(qapp, "ja")
    yield
    for t in translators:
        QCoreApplication.removeTranslator(t)
    QLocale.setDefault(QLocale("en_US"))


@pytest.fixture
def fake():
    return FakeServices()


@pytest.fixture
def window(qtbot, fake, runner):
    yield from open_window(qtbot, fake, runner, timeout=5000)


@pytest.fixture
def real(sandbox, wizard_home):
    """The GUI's services on the sandbox tenant (over HTTPS), in a throw-away profile."""
    yield from sandbox_services(sandbox.cloud_file, wizard_home)


@pytest.fixture
def sandbox_window(qtbot, real, runner):
    """The main window on ``real``: a ``sandbox`` module's ``window`` (``window(sandbox_window)``)."""
    yield from open_window(qtbot, real, runner, timeout=10000)


def pytest_collection_modifyitems(items):
    # The offscreen platform plugin (used only by tests) says this for every top-level
    # widget with a size constraint; it is about the plugin, not our code. Every other
    # Qt warning still fails the test (qt_log_level_fail = WARNING).
    for item in items:
        if "tests/gui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"))

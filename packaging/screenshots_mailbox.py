#!/usr/bin/env python3
"""Screenshots of the Mailbox window, its notice and the Set Regarding picker (en, ja).

Run under a real X server on a 1366×768 screen, e.g.::

    Xvfb :63 -screen 0 1366x768x24 & DISPLAY=:63 openbox &
    DISPLAY=:63 QT_QPA_PLATFORM=xcb python packaging/screenshots_mailbox.py

The mailbox is a throw-away local one with sample items (no org is contacted); the record
names of the Regarding column are the sample's own. PNGs go to packaging/screenshots/
<lang>-5x-*.png, and in the dark palette of ``screenshots.py`` the window and the picker go
to <lang>-dark-5x-*.png (``python packaging/screenshots_mailbox.py LANG [dark]`` takes one).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))
OUT = ROOT / "packaging" / "screenshots"
ORG_ID = "a1b2c3d4-0001-4000-8000-000000000001"
ME = "5e7a0001-0000-4000-8000-000000000001"

from screenshots import THEME, settle, shoot, start_app  # noqa: E402  (packaging/ is on the path now)


class _NoSecrets:
    available = True
    backend_name = "none"

    def delete_org(self, key: str) -> None:
        pass


def _seed(engine) -> dict[str, str]:
    from wizard.engine.mailstore import SqliteMailStore
    from wizard.engine.orgs import OrgProfile
    from wizard.engine.sync.status import StatusDB, StatusRow

    engine.registry.add(OrgProfile(base_url="https://contoso.crm.dynamics.com",
                                   display_name="Contoso", org_id=ORG_ID, user_id=ME))
    names = {}
    with SqliteMailStore(engine.paths.mailbox_db) as store:
        accounts = {"Fabrikam": str(uuid.uuid4()), "Northwind Traders": str(uuid.uuid4())}
        status = StatusDB(store.conn, ORG_ID)
        tasks = (("Call back about the renewal", True, ("account", "Fabrikam"), ME),
                 ("Prepare the quote", True, None, "5e7a0002-0000-4000-8000-000000000002"),
                 ("Send the brochure", False, None, None),
                 ("Book the venue for the fair", True, ("account", "Northwind Traders"), ME),
                 ("Renew the support plan", False, None, None))
        for title, tracked, regarding, owner in tasks:
            data = {"subject": title}
            if regarding:
                value = f"{regarding[0]}:{accounts[regarding[1]]}"
                data["regarding"] = value
                names[value] = regarding[1]
            item = store.add("task", data, tracked=tracked)
            if tracked:
                rid = str(uuid.uuid4())
                store.link(item.local_id, rid)
                linked = store.get(item.local_id)
                status.put(StatusRow("task", rid, item.local_id, "linked", 'W/"1"', linked.hash,
                                     {}, owner, True))
        for n, title in enumerate(("Quarterly business review", "Weekly pipeline review",
                                   "Lunch with a customer")):
            store.add("appointment", {"subject": title, "start": f"2026-03-0{n + 2}T09:00:00Z",
                                      "end": f"2026-03-0{n + 2}T10:00:00Z"}, tracked=n == 0)
        for first, last in (("Ada", "Abbott"), ("Ben", "Berg"), ("Cleo", "Castillo")):
            store.add("contact", {"first_name": first, "last_name": last,
                                  "email1": f"{first.lower()}@example.com"}, tracked=True)
        store.add("email", {"subject": "Welcome aboard", "sender": "ada@example.com",
                            "to": ["alice@contoso.example"]})
    return names


#: The shots also taken in the dark palette.
DARK = {"50-mailbox-window", "53-set-regarding"}


def _shoot(widget, lang: str, name: str) -> None:
    shoot(widget.window(), lang, name, settle_ms=300, dark=DARK)


def _shoot_notice(window, lang: str, name: str, kind: str) -> None:
    """Show the notice ``kind`` and shoot it (it is modal: a timer grabs it once it is up)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from wizard.gui.mailbox_window import notice_box

    def grab() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            _shoot(box, lang, name)
            box.reject()
        else:
            QTimer.singleShot(100, grab)

    QTimer.singleShot(300, grab)
    notice_box(window, kind)


def run(lang: str, theme: str = "light") -> None:
    from wizard.engine.context import Engine
    from wizard.engine.paths import AppPaths
    from wizard.gui.mailbox_window import MailboxWindow, RegardingPicker

    start_app(lang, theme)
    home = Path(tempfile.mkdtemp(prefix="d365-mailbox-shots-"))
    engine = Engine(AppPaths.resolve(home).ensure(), secret_store=_NoSecrets())
    names = _seed(engine)
    window = MailboxWindow(engine)
    window.move(40, 40)
    window.show()
    settle(1500)
    for model in window.models.values():
        model.set_names(names)
    window.tabs.setCurrentIndex(2)
    view = window.views["task"]
    view.selectRow(0)
    view.setFocus()
    _shoot(window, lang, "50-mailbox-window")

    if THEME[0] != "dark":
        _shoot_notice(window, lang, "51-notice-first-track", "first_track")
        _shoot_notice(window, lang, "52-notice-email", "first_email_track")

    picker = RegardingPicker(engine, window.runner, window)
    picker.show()
    picker.search.setText("north")
    picker._show(([SimpleNamespace(name="Northwind Traders", type="account"),
                   SimpleNamespace(name="Northwind Traders: renewal", type="opportunity"),
                   SimpleNamespace(name="Slow reports at Northwind Traders", type="incident")],
                  False))
    _shoot(picker, lang, "53-set-regarding")
    picker.close()
    window.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) > 1:
        run(*sys.argv[1:3])
        return 0
    for lang in ("en", "ja"):
        for theme in ("light", "dark"):
            subprocess.run([sys.executable, __file__, lang, theme], check=True,
                           env={**os.environ, "LANG": "C.UTF-8"})
    return 0


if __name__ == "__main__":
    sys.exit(main())

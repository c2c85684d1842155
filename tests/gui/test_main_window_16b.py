"""Issue 16 (part B): the switch prompt's Details, the two Synchronize actions, the main
window's empty list, status bar, plurals and dates, and dialog heights at 1366×768 — on fake
services (no network)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from wizard.gui.views import OrgChangeView, SwitchPlanView
from wizard.gui.widgets import max_dialog_height


def _plan(engine_lines: int) -> SwitchPlanView:
    orgs = tuple(OrgChangeView(f"k{i}", f"Org {i}", i == 0, 1, holds_exchange=i == 1, approval=1,
                               email="alice@contoso.example") for i in range(3))
    return SwitchPlanView("Org 1", "Org 0", "Org 1", dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC),
                          engine_text="\n".join(f"engine line {i}" for i in range(engine_lines)),
                          orgs=orgs, exchange_holders=("Org 1",))


def _visible_bottom(widget) -> bool:
    """The widget's whole height lies inside its scroll area's viewport (or can scroll there)."""
    return widget.isVisible() and widget.height() >= widget.sizeHint().height() - 2


def test_switch_details_grow_the_dialog_and_every_org_is_listed(qtbot):
    from wizard.gui.dialogs import SwitchDialog

    dialog = SwitchDialog(_plan(8))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait_exposed(dialog)
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isDefault()
    # nothing cut off sideways: the long check box is as wide as its text wants
    box = dialog.override_box
    assert box.width() >= box.sizeHint().width()
    assert box.mapTo(dialog, box.rect().topRight()).x() <= dialog.scroll_area.viewport().mapTo(
        dialog, dialog.scroll_area.viewport().rect().topRight()).x()
    for i in range(3):
        assert f"Org {i}:" in dialog.plan_label.text()
    before = dialog.height()
    dialog.details_button.setChecked(True)
    assert dialog.details_label.isVisible()
    assert dialog.height() > before
    # grown to fit: nothing to scroll, the last line of Details is on the screen
    assert dialog.scroll_area.verticalScrollBar().maximum() == 0
    assert dialog.height() <= max_dialog_height(dialog)
    dialog.details_button.setChecked(False)
    assert not dialog.details_label.isVisible()


def test_long_switch_details_scroll_inside_a_dialog_that_fits_the_screen(qtbot):
    from wizard.gui.dialogs import SwitchDialog

    dialog = SwitchDialog(_plan(200))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait_exposed(dialog)
    dialog.details_button.setChecked(True)
    assert dialog.height() <= max_dialog_height(dialog)
    bar = dialog.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    assert dialog.buttons.isVisible()


# -- item 2: "Set as Synchronizing Organization…" and "Synchronize Now" ------------------------
def test_making_an_org_synchronize_and_syncing_now_cannot_be_confused(qtbot, window):
    make, now = window.actions_by_name["synchronize"], window.actions_by_name["sync_now"]
    assert make.text().replace("&", "") == "Set as Synchronizing Organization…"
    assert now.text().replace("&", "") == "Synchronize Now"
    assert make.toolTip() != now.toolTip() and "nothing is synchronized yet" in make.toolTip()
    assert make.icon().cacheKey() != now.icon().cacheKey()
    from wizard.gui.icons import _svg

    assert _svg("make-synchronizing") and _svg("make-synchronizing") != _svg("synchronize")
    # distinct places: Synchronize Now in the toolbar, the other with the selected org's buttons
    assert now in window.sync_toolbar.actions() and make not in window.sync_toolbar.actions()
    assert window.buttons["synchronize"].parentWidget() is not window.sync_toolbar
    assert make in window.table.actions() and now not in window.table.actions()


# -- item 3: the list, the status bar, plurals and dates --------------------------------------
def test_status_column_is_visible_at_the_default_size(qtbot, window, fake):
    from tests.gui import journeys as j

    j.add_online(qtbot, window, {"contosona", "contosojp"})
    table = window.table
    column = window.model.COLUMNS.index("status")
    header = table.horizontalHeader()
    assert not table.isColumnHidden(column)
    right = header.sectionViewportPosition(column) + header.sectionSize(column)
    assert header.sectionViewportPosition(column) >= 0 and right <= table.viewport().width()


def test_an_empty_list_says_how_to_start_and_adds(qtbot, window):
    assert window.model.rowCount() == 0
    assert window.empty_panel.isVisible() and not window.table.isVisible()
    assert "Add" in window.empty_label.text()
    window.empty_add.click()
    qtbot.wait_until(lambda: getattr(window, "add_wizard", None) is not None and window.add_wizard.isVisible())
    window.add_wizard.reject()


def test_status_bar_confirms_add_switch_rename_and_remove(qtbot, window, fake):
    from PySide6.QtWidgets import QMessageBox

    from tests.gui import journeys as j

    j.add_online(qtbot, window, {"contosona", "contosojp"})
    assert window.statusBar().currentMessage() == "2 organizations were added."
    assert not window.empty_panel.isVisible() and window.table.isVisible()
    jp = j.row_by_name(window, "contosojp")
    j.select(window, jp.key)
    window.synchronize()
    qtbot.wait_until(lambda: getattr(window, "switch_dialog", None) is not None and window.switch_dialog.isVisible())
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        window.switch_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.statusBar().currentMessage() == "Contoso (Japan) is now your synchronizing organization."
    window.switch_progress.reject()
    window.properties()
    dialog = window.properties_dialog
    dialog.name_edit.setText("Japan sales")
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.statusBar().currentMessage() == "Contoso (Japan) was renamed to Japan sales."
    window.delete()
    qtbot.wait_until(lambda: bool(j.message_boxes("confirmDelete")))
    box = j.message_boxes("confirmDelete")[0]
    names = sorted(b.text().replace("&", "") for b in box.buttons())
    assert names == ["Cancel", "Remove"] and box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        box.findChild(QPushButton, "removeButton").click()
    assert window.statusBar().currentMessage() == "Japan sales was removed."
    window.refresh(check=False)
    qtbot.wait_signal(window.orgs_loaded, timeout=5000)
    qtbot.wait_until(lambda: window.statusBar().currentMessage() == "1 organization configured.")


def test_plural_forms_come_from_the_catalogue(qapp):
    from wizard.gui.i18n import install_translators
    from wizard.gui.main_window import count_text

    assert count_text(1) == "1 organization configured."
    assert count_text(3) == "3 organizations configured."
    translators = install_translators(qapp, "ja")
    try:
        assert count_text(3) == "3 件の組織が構成されています。"
    finally:
        for t in translators:
            qapp.removeTranslator(t)
        QLocale.setDefault(QLocale.c())


def test_dates_are_in_the_users_locale_never_day_month_year_with_spaces(qapp):
    from wizard.gui.widgets import format_when

    when = dt.datetime(2026, 12, 3, 9, 5, tzinfo=dt.UTC)
    try:
        QLocale.setDefault(QLocale.c())
        assert format_when(when) == when.astimezone().strftime("%Y-%m-%d %H:%M")
        QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
        assert format_when(when).startswith("2026/12/0")
        QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
        assert "12.26" in format_when(when)
    finally:
        QLocale.setDefault(QLocale.c())


def test_regions_read_one_way_in_the_list_and_the_org_picker(qapp):
    from wizard.gui.models import DiscoveredOrgModel, OrgTableModel
    from wizard.gui.views import DiscoveredOrg, OrgRow

    table = OrgTableModel()
    table.set_rows([OrgRow("k1", "Contoso", "contoso", "https://contoso.crm.dynamics.com",
                           cloud="commercial", region="NAM")])
    picker = DiscoveredOrgModel()
    picker.set_orgs([DiscoveredOrg("contoso", "Contoso", "https://contoso.crm.dynamics.com", region="NAM")])
    place = table.data(table.index(0, OrgTableModel.COLUMNS.index("cloud")))
    region = picker.data(picker.index(0, DiscoveredOrgModel.COLUMNS.index("region")))
    assert place == "Commercial / North America (NAM)" and region == "North America (NAM)"
    # Global Discovery's shorter codes name the same regions, shown the same way
    from wizard.gui.models import region_label

    assert region_label("NA") == region_label("NAM") and region_label("EMEA") == "Europe (EUR)"
    assert region_label("JP") == "Japan (JPN)"


def test_sandbox_mode_says_so_and_shows_addresses(qtbot, window, fake):
    assert "Sandbox" in window.windowTitle()
    assert window.sandbox_banner.isVisible()
    for _name, url in fake.sandbox_addresses:
        assert url in window.sandbox_banner.text()


def test_no_gui_string_writes_a_plural_as_s_in_brackets():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "wizard" / "gui"
    found = [f"{p.name}: {m}" for p in root.glob("*.py") if p.name != "engine_texts.py"
             for m in re.findall(r"tr\(\"[^\"]*\w\(s\)[^\"]*\"", p.read_text(encoding="utf-8"))]
    assert found == []


# -- item 4: Keep me connected -------------------------------------------------------------------
def test_keep_connected_is_shown_and_set_in_its_dialog(qtbot, window, fake):
    from tests.gui import journeys as j

    j.add_online(qtbot, window, {"contosona", "contosojp"})
    assert window.keep_label.text() == "Every 15 min, all organizations"
    window.actions_by_name["keep_connected"].trigger()
    dialog = window.keep_dialog
    assert dialog.minutes.value() == 15 and "may then be slower" in dialog.note.text()
    dialog.minutes.setValue(40)
    jp = j.row_by_name(window, "contosojp")
    index = [r.key for r in dialog.rows].index(jp.key)
    dialog.orgs.item(index).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert fake.keep_minutes == 40 and fake.orgs[jp.key].keep_connected is False
    assert window.keep_label.text() == "Every 40 min, 1 of 2 organizations"
    assert window.statusBar().currentMessage() == "Keep me connected was saved."


def test_properties_says_what_off_costs(qtbot, window, fake):
    from tests.gui import journeys as j

    j.add_online(qtbot, window, {"contosona"})
    window.properties()
    assert "may then be slower" in window.properties_dialog.keep_note.text()
    window.properties_dialog.reject()


# -- item 6: layout ---------------------------------------------------------------------------------
def test_properties_grows_for_its_error_and_clears_it_when_fixed(qtbot, window, fake):
    from tests.gui import journeys as j

    j.add_online(qtbot, window, {"contosona", "contosojp"})
    j.select(window, j.row_by_name(window, "contosojp").key)
    window.properties()
    dialog = window.properties_dialog
    qtbot.wait_exposed(dialog)
    assert not dialog.error_label.isVisible()
    before = dialog.height()
    dialog.name_edit.setText("Contoso (North America)")            # taken by the other org
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.wait_until(lambda: dialog.error_label.isVisible(), timeout=5000)
    assert "already called" in dialog.error_label.text()
    assert dialog.height() > before
    assert dialog.error_label.height() >= dialog.error_label.heightForWidth(dialog.error_label.width()) - 1
    qtbot.keyClicks(dialog.name_edit, " 2")                        # the user fixes the name
    assert not dialog.error_label.isVisible() and dialog.error_label.text() == ""
    assert dialog.height() < before + 10
    with qtbot.wait_signal(window.orgs_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert j.row_by_name(window, "contosojp").display_name == "Contoso (North America) 2"


def _every_dialog(qtbot, window, fake):
    """Open each dialog the main window shows (fake services) and yield it."""
    from tests.gui import journeys as j

    j.add_online(qtbot, window, {"contosona", "contosojp"})
    jp = j.row_by_name(window, "contosojp")
    j.select(window, jp.key)
    for opener, attr in ((window.properties, "properties_dialog"), (window.test_connection, "test_dialog"),
                         (window.synchronize, "switch_dialog"), (window.keep_connected_settings, "keep_dialog"),
                         (window.sign_in, "reauth_dialog"), (window.diagnostics, "diagnostics_dialog"),
                         (window.sync_settings, "settings_dialog"), (window.add, "add_wizard")):
        before = getattr(window, attr, None)
        opener()
        qtbot.wait_until(lambda a=attr, b=before: getattr(window, a, None) not in (None, b)
                         and getattr(window, a).isVisible(), timeout=5000)
        dialog = getattr(window, attr)
        yield attr, dialog
        dialog.reject()
    window.synchronize_now()
    qtbot.wait_until(lambda: not window.sync_dialog.running, timeout=5000)
    yield "sync_dialog", window.sync_dialog
    window.sync_dialog.reject()


def test_no_dialog_is_taller_than_a_1366_by_768_screen_allows(qtbot, window, fake):
    from wizard.gui.widgets import WINDOW_CHROME

    limit = 768 - WINDOW_CHROME           # the tallest a dialog may be on a 1366×768 screen
    seen = []
    for name, dialog in _every_dialog(qtbot, window, fake):
        seen.append(name)
        # what it asks for and what it needs fit that screen; as opened it fits its own
        # screen (this test's offscreen screen is 800×800)
        for what, size in (("sizeHint", dialog.sizeHint()), ("minimum", dialog.minimumSizeHint())):
            assert size.height() <= limit and size.width() <= 1366, (name, what, size)
        assert dialog.height() <= max_dialog_height(dialog) and dialog.width() <= 1366, (name, dialog.size())
    assert len(seen) == 9


# -- item 5: found while measuring a 20,000-contact Synchronize Now ----------------------------
def test_the_result_counts_every_new_item_not_only_the_listed_ones():
    from wizard.engine.sync.runstate import LISTED_CREATES, Action, SyncReport
    from wizard.gui.services import summarize_report

    report = SyncReport("id", "Contoso")
    report.add([Action("contact", "mailbox-create", f"Person {i}") for i in range(LISTED_CREATES + 1234)])
    report.add([Action("task", "org-update", "Call back")])
    summary = summarize_report(report)
    assert summary.came_in == {"create": LISTED_CREATES + 1234} and summary.went_out == {"update": 1}
    assert "Added to your mailbox: 1234 more" in summary.details

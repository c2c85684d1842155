import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QVBoxLayout

from wizard.gui.models import ORG_KEY_ROLE, DiscoveredOrgModel, OrgTableModel, StepListModel
from wizard.gui.views import DiscoveredOrg, OrgRow, OrgStatus, StepReport
from wizard.gui.widgets import step_table


def rows():
    return [OrgRow("k1", "Contoso NA", "contosona", "https://a", cloud="commercial", region="NAM",
                   user="alice@contoso.example", is_primary=True, status=OrgStatus.CONNECTED),
            OrgRow("k2", "On prem", "contosoonprem", "https://b/contosoonprem", kind="onprem")]


def test_org_model_passes_modeltester(qtmodeltester):
    model = OrgTableModel()
    model.set_rows(rows())
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)


def test_org_model_shows_primary_status_and_keeps_live_status(qtbot):
    model = OrgTableModel()
    model.set_rows(rows())
    assert model.rowCount() == 2 and model.columnCount() == 7
    assert model.data(model.index(0, 0)) == "✔ Yes"
    assert model.data(model.index(1, 0)) == ""
    assert model.data(model.index(0, 2)) == "Connected"
    assert model.data(model.index(1, 4)) == "On-premises"
    assert model.data(model.index(1, 3)) == "(not signed in)"
    assert model.data(model.index(1, 0), ORG_KEY_ROLE) == "k2"
    with qtbot.wait_signal(model.dataChanged):
        model.set_status("k2", OrgStatus.MFA_NEEDED, "MFA")
    assert model.data(model.index(1, 2)) == "MFA needed"
    assert model.data(model.index(1, 2), Qt.ItemDataRole.ToolTipRole) == "MFA"
    model.set_rows(rows())   # a reload from the registry keeps the live status
    assert model.data(model.index(1, 2)) == "MFA needed"
    assert model.primary().key == "k1"


def test_discovered_model_disables_disabled_orgs(qtmodeltester):
    model = DiscoveredOrgModel()
    model.set_orgs([DiscoveredOrg("a", "A", "https://a"), DiscoveredOrg("r", "Retired", "https://r", enabled=False)])
    qtmodeltester.check(model, force_py=True)
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert not model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert "disabled" in model.data(model.index(1, 0))


def test_step_model_updates_rows_in_place(qtmodeltester):
    model = StepListModel()
    model.report(StepReport("dns", "DNS", "running"))
    model.report(StepReport("tls", "TLS", "running"))
    model.report(StepReport("dns", "DNS", "failed", "No such host", "Check the address"))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
    assert model.failed().fix == "Check the address"
    assert model.data(model.index(0, 0)) == "✖ Failed"


def _step(i: int, state: str = "passed") -> StepReport:
    return StepReport(f"s{i}", f"Step {i}", state, "The organization answered in time." if state != "running" else "")


def test_painting_a_step_table_calls_no_python(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    model = StepListModel(dialog)
    view = step_table(model, dialog)
    QVBoxLayout(dialog).addWidget(view)
    for i in range(12):
        model.report(_step(i))
    dialog.resize(800, 400)
    dialog.show()
    qtbot.wait_exposed(dialog)
    called: list[str] = []

    def profile(frame, event, _arg):
        if event == "call":
            called.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        view.viewport().grab()        # paints every visible cell, exposed or not
    finally:
        sys.setprofile(None)
    ours = [c for c in called if "/wizard/" in c]
    assert not ours, ours[:5]         # each of these would wait for the GIL while a worker runs
    assert view.model().index(3, 2).data() == "The organization answered in time."


def test_step_model_signals_only_real_changes(qtbot):
    model = StepListModel()
    changes = []
    model.dataChanged.connect(lambda top, bottom, _roles=(): changes.append((top.row(), bottom.column())))
    model.report(_step(0, "running"))
    model.report(_step(0, "running"))                 # the same again: nothing to redraw
    assert changes == []
    model.report(_step(0))
    assert changes == [(0, 3)]                        # one signal for the whole row
    assert model.data(model.index(0, 0)) == StepListModel.state_label("passed")
    model.clear()
    assert model.rowCount() == 0 and model.columnCount() == 4 and model.steps() == []
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Step"

from PySide6.QtCore import Qt

from wizard.gui.models import DiscoveredOrgModel, OrgTableModel, StepListModel, ORG_KEY_ROLE
from wizard.gui.services import DiscoveredOrg, OrgRow, OrgStatus, StepReport


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
    assert model.data(model.index(0, 6)) == "Connected"
    assert model.data(model.index(1, 4)) == "On-premises"
    assert model.data(model.index(1, 5)) == "(not signed in)"
    assert model.data(model.index(1, 0), ORG_KEY_ROLE) == "k2"
    with qtbot.wait_signal(model.dataChanged):
        model.set_status("k2", OrgStatus.MFA_NEEDED, "MFA")
    assert model.data(model.index(1, 6)) == "MFA needed"
    assert model.data(model.index(1, 6), Qt.ItemDataRole.ToolTipRole) == "MFA"
    model.set_rows(rows())   # a reload from the registry keeps the live status
    assert model.data(model.index(1, 6)) == "MFA needed"
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

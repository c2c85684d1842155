"""Table and list models (small, widget-free, tested with ``qtmodeltester``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from wizard.gui.i18n import tr
from wizard.gui.status import OrgStatus

if TYPE_CHECKING:  # pragma: no cover - the view types load with the engine, after the first paint
    from wizard.gui.views import DiscoveredOrg, OrgRow, StepReport

Index = QModelIndex | QPersistentModelIndex

ORG_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
R = TypeVar("R")
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2


def status_label(status: str) -> str:
    return {
        OrgStatus.UNKNOWN: tr("Not checked"),
        OrgStatus.CHECKING: tr("Checking…"),
        OrgStatus.CONNECTED: tr("Connected"),
        OrgStatus.NEEDS_SIGN_IN: tr("Needs sign-in"),
        OrgStatus.MFA_NEEDED: tr("MFA needed"),
        OrgStatus.OFFLINE: tr("Offline"),
        OrgStatus.ERROR: tr("Error"),
    }.get(status, status)


def region_label(code: str | None) -> str:
    """A region code as the user reads it everywhere: "North America (NAM)"."""
    if not code:
        return ""
    names = {
        "NAM": tr("North America"), "SAM": tr("South America"), "CAN": tr("Canada"),
        "EUR": tr("Europe"), "APJ": tr("Asia Pacific"), "OCE": tr("Australia"), "JPN": tr("Japan"),
        "IND": tr("India"), "GBR": tr("United Kingdom"), "FRA": tr("France"),
        "ZAF": tr("South Africa"), "UAE": tr("United Arab Emirates"), "GER": tr("Germany"),
        "CHE": tr("Switzerland"), "NOR": tr("Norway"), "SGP": tr("Singapore"), "KOR": tr("Korea"),
        "SWE": tr("Sweden"),
    }
    # Global Discovery names some regions by a shorter code ("NA", "EMEA") than the one the
    # org's address and the list use ("NAM", "EUR"): one region, shown one way.
    aliases = {"NA": "NAM", "SA": "SAM", "EMEA": "EUR", "EU": "EUR", "JP": "JPN", "UK": "GBR",
               "AU": "OCE", "IN": "IND", "CA": "CAN"}
    canonical = aliases.get(code.upper(), code.upper())
    name = names.get(canonical)
    return tr("{name} ({code})").format(name=name, code=canonical) if name else code


def cloud_name(cloud: str | None) -> str:
    names = {"commercial": tr("Commercial"), "gcc": tr("GCC"), "gcchigh": tr("GCC High"),
             "dod": tr("DoD"), "china": tr("China"), "sandbox": tr("Sandbox")}
    return names.get(cloud or "", cloud or "")


def place_label(kind: str | None, cloud: str | None, region: str | None) -> str:
    """Where an org lives, worded one way in the list, the Add wizard and its org picker."""
    if kind == "onprem":
        return tr("On-premises")
    if kind == "ifd":
        return tr("Internet-facing (IFD)")
    parts = [p for p in (cloud_name(cloud), region_label(region)) if p]
    return tr(" / ").join(parts)


def cloud_label(row: OrgRow) -> str:
    return place_label(row.kind, row.cloud, row.region)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """A table of ``_rows`` (one per row) and ``COLUMNS`` (one per column), headed by
    :meth:`headers` for the roles in ``HEADER_ROLES``; every row can be selected unless a
    table says otherwise in :meth:`flags`."""

    COLUMNS: tuple[str, ...] = ()
    HEADER_ROLES: tuple[Qt.ItemDataRole, ...] = (Qt.ItemDataRole.DisplayRole,
                                                  Qt.ItemDataRole.AccessibleTextRole)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def headers(self) -> list[str]:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS) \
                and role in self.HEADER_ROLES:
            return self.headers()[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class OrgTableModel(RowTableModel["OrgRow"]):
    """One row per configured org; the synchronizing org is marked in its own column."""

    #: Status comes right after the name so that it shows at the window's default size; the
    #: address, the longest, is last and takes what is left.
    COLUMNS = ("sync", "display_name", "status", "user", "cloud", "unique_name", "url")

    def headers(self) -> list[str]:
        return [tr("Synchronizing"), tr("Display name"), tr("Status"), tr("User"),
                tr("Cloud / region"), tr("Unique name"), tr("URL")]

    # -- Qt API -------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == "sync":
                if role == Qt.ItemDataRole.AccessibleTextRole:
                    return tr("Synchronizing organization") if row.is_primary else tr("Not synchronizing")
                return tr("✔ Yes") if row.is_primary else ""
            if column == "cloud":
                return cloud_label(row)
            if column == "status":
                return status_label(row.status)
            if column == "user":
                return row.user or tr("(not signed in)")
            return getattr(row, column) or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "status" and row.status_text:
                return row.status_text
            if column == "url":
                return row.url
            return None
        if role == Qt.ItemDataRole.FontRole and row.is_primary:
            font = QFont()
            font.setBold(True)
            return font
        if role == ORG_KEY_ROLE:
            return row.key
        if role == STATUS_ROLE:
            return row.status
        return None

    # -- our API ------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[OrgRow]) -> None:
        previous = {r.key: r for r in self._rows}
        merged = []
        for r in rows:
            old = previous.get(r.key)
            # A fresh list from the registry does not know the live status; keep ours.
            if old is not None and r.status == OrgStatus.UNKNOWN and old.user == r.user:
                r = replace(r, status=old.status, status_text=old.status_text)
            merged.append(r)
        self.beginResetModel()
        self._rows = merged
        self.endResetModel()

    def rows(self) -> list[OrgRow]:
        return list(self._rows)

    def row_at(self, row: int) -> OrgRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.key == key), -1)

    def set_status(self, key: str, status: str, text: str = "") -> None:
        i = self.row_of(key)
        if i < 0:
            return
        self._rows[i] = replace(self._rows[i], status=status, status_text=text)
        col = self.COLUMNS.index("status")
        self.dataChanged.emit(self.index(i, col), self.index(i, col))

    def primary(self) -> OrgRow | None:
        return next((r for r in self._rows if r.is_primary), None)


class DiscoveredOrgModel(RowTableModel["DiscoveredOrg"]):
    """The orgs a signed-in user belongs to; disabled ones cannot be selected."""

    COLUMNS = ("friendly_name", "unique_name", "region", "version", "url")
    HEADER_ROLES = (Qt.ItemDataRole.DisplayRole,)

    def headers(self) -> list[str]:
        return [tr("Organization"), tr("Unique name"), tr("Region"), tr("Version"), tr("URL")]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        org = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = region_label(org.region) if column == "region" else (getattr(org, column) or "")
            if column == "friendly_name" and not org.enabled:
                text = tr("{name} (disabled)").format(name=text)
            return text
        if role == Qt.ItemDataRole.ToolTipRole and not org.enabled:
            return tr("This organization is disabled and cannot be added.")
        if role == ORG_KEY_ROLE:
            return org.unique_name
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        org = self._rows[index.row()]
        if not org.enabled:
            return Qt.ItemFlag.NoItemFlags   # shown greyed, never selectable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_orgs(self, orgs: Sequence[DiscoveredOrg]) -> None:
        self.beginResetModel()
        self._rows = list(orgs)
        self.endResetModel()

    def org_at(self, row: int) -> DiscoveredOrg | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class StepListModel(QStandardItemModel):
    """Steps of a connection test or of connecting: state, step, message and fix.

    The texts live in Qt's own item model, so painting the table never calls Python. A step
    table repaints on every step while a worker runs, and each Python ``data()`` call from a
    paint has to take the GIL back from that worker (:mod:`wizard.gui.runtime`): with a busy
    worker, repainting 15 steps took 273 ms through Python calls and 6 ms like this.
    """

    COLUMNS = ("state", "title", "message", "fix")
    _ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole)
    _FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels([tr("Result"), tr("Step"), tr("Message"), tr("How to fix it")])
        self._steps: list[StepReport] = []

    @staticmethod
    def state_label(state: str) -> str:
        # A symbol as well as the word, so the state shows without relying on colour.
        return {"running": "⋯ " + tr("Running…"), "passed": "✔ " + tr("Passed"),
                "failed": "✖ " + tr("Failed"), "skipped": "– " + tr("Skipped"),
                "warning": "⚠ " + tr("Warning"), "pending": tr("Waiting")}.get(state, state)

    def _texts(self, step: StepReport) -> list[str]:
        return [self.state_label(step.state), step.title or "", step.message or "", step.fix or ""]

    def _set_text(self, item: QStandardItem, text: str) -> QStandardItem:
        for role in self._ROLES:
            item.setData(text, role)
        return item

    def _item(self, text: str) -> QStandardItem:
        item = QStandardItem()
        item.setFlags(self._FLAGS)
        return self._set_text(item, text)

    def report(self, step: StepReport) -> None:
        """Add a step, or update the row of a step already shown (one ``dataChanged``)."""
        for row, existing in enumerate(self._steps):
            if existing.step_id == step.step_id:
                if existing == step:
                    return      # already shown: re-measuring its row would only cost time
                self._steps[row] = step
                blocked = self.blockSignals(True)      # one dataChanged for the row, not twelve
                try:
                    for column, text in enumerate(self._texts(step)):
                        self._set_text(self.item(row, column), text)
                finally:
                    self.blockSignals(blocked)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
                return
        self._steps.append(step)
        self.appendRow([self._item(text) for text in self._texts(step)])

    def clear(self) -> None:
        self._steps = []
        self.removeRows(0, self.rowCount())

    def steps(self) -> list[StepReport]:
        return list(self._steps)

    def failed(self) -> StepReport | None:
        return next((s for s in self._steps if s.state == "failed"), None)


def direction_label(direction: int) -> str:
    # An arrow as well as the words, so the direction reads at a glance.
    return {0: "✕ " + tr("Not synchronized"), 1: "→ " + tr("To the mailbox"),
            2: "← " + tr("To the organization"), 3: "⇄ " + tr("Both ways")}.get(direction, str(direction))


class FieldMappingModel(RowTableModel[Any]):
    """The synchronized fields of one item type and the direction of each."""

    #: labels only: the internal field names (``first_name``, ``firstname``) are never shown
    COLUMNS = ("label", "org_label", "direction")
    DIRECTION_ROLE = Qt.ItemDataRole.UserRole + 3

    def headers(self) -> list[str]:
        return [tr("Mailbox field"), tr("Organization field"), tr("Direction")]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            if column == "direction":
                return direction_label(row.direction)
            if column == "org_label":
                return row.org_label or row.label
            return getattr(row, column) or ""
        if role == self.DIRECTION_ROLE:
            return row.direction
        return None

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

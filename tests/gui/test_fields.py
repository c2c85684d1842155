"""Internal names never reach users: field labels, sync steps and their reasons."""

from __future__ import annotations

import ast
from pathlib import Path

import wizard.engine.sync as sync_pkg
from wizard.engine.itemtypes import FIELDS
from wizard.engine.sync.mapping import DEFAULTS, address_mappings
from wizard.engine.sync.runstate import Action, SyncReport
from wizard.engine.sync.status import Conflict
from wizard.gui.fields import (
    mailbox_field_label,
    org_field_label,
    reason_labels,
    step_labels,
)
from wizard.gui.services import summarize_report


def _engine_steps_and_reasons() -> tuple[set[str], set[str]]:
    """Every op and reason literal the sync engine reports (``act(op, reason)`` and ``Action(...)``)."""
    ops: set[str] = set()
    reasons: set[str] = set()
    for path in Path(sync_pkg.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = list(node.args)
            if node.func.id == "act":
                op, reason = (args + [None, None])[:2]
            elif node.func.id == "Action":
                op = args[1] if len(args) > 1 else None
                reason = args[6] if len(args) > 6 else next(
                    (k.value for k in node.keywords if k.arg == "reason"), None)
            else:
                continue
            if isinstance(op, ast.Constant) and isinstance(op.value, str):
                ops.add(op.value)
            if isinstance(reason, ast.Constant) and isinstance(reason.value, str) and reason.value:
                reasons.add(reason.value)
    return ops, reasons


def test_every_step_and_reason_the_engine_reports_has_a_label(qapp):
    ops, reasons = _engine_steps_and_reasons()
    assert "mailbox-create" in ops and "changed in the org" in reasons   # the walk finds them
    assert ops <= set(step_labels()), sorted(ops - set(step_labels()))
    assert reasons <= set(reason_labels()), sorted(reasons - set(reason_labels()))


def test_every_mailbox_field_has_a_label(qapp):
    for kind, fields in FIELDS.items():
        for field in fields:
            label = mailbox_field_label(kind, field)
            assert label and label != field and "_" not in label, (kind, field)
    assert mailbox_field_label("contact", "home_address_street") == "Home address: street"


def test_org_columns_use_the_org_display_name_else_the_mailbox_label(qapp):
    assert org_field_label("contact", "firstname", {"firstname": "Given Name"}) == "Given Name"
    assert org_field_label("contact", "firstname", {}) == "First name"
    for kind, maps in DEFAULTS.items():
        for m in maps + (address_mappings("home", "address2", "") if kind == "contact" else []):
            assert org_field_label(kind, m.org_field) != m.org_field or m.org_field == m.mailbox_field, m


def test_sync_details_name_steps_items_and_fields_in_words(qapp):
    report = SyncReport("id", "Contoso")
    report.add([Action("contact", "mailbox-create", "Ann Lee", reason="changed in the org"),
                Action("contact", "org-update", "Bo Chan", fields=["firstname", "address2_line1"]),
                Action("contact", "mailbox-update", "Cy Doe", fields=["home_address_street"])])
    report.conflicts.append(Conflict("contact", "r1", "l1", "lastname", "a", "b", "c"))
    summary = summarize_report(report, labels={"contact": {"firstname": "First Name"}})
    details = summary.details
    for internal in ("mailbox-create", "org-update", "firstname", "address2_line1", "home_address_street",
                     "lastname", " contact "):
        assert internal not in details, internal
    assert "Added to your mailbox: Contact “Ann Lee” — changed in the organization" in details
    assert "(First Name, Home address: street)" in details
    assert "Changed in your mailbox: Contact “Cy Doe” (Home address: street)" in details
    assert summary.conflicts == ("Contact Last name: your mailbox “b”, the organization “c”; "
                                 "the organization's value was kept",)


def test_sync_notices_are_worded_by_the_gui_from_their_codes(qapp):
    from wizard.engine.sync.engine import EMAIL_NOTICE
    from wizard.gui.i18n import install_translators

    report = SyncReport("id", "Contoso")
    report.notice("org_changed", "English text", org="Contoso (Japan)", previous="Fabrikam")
    report.notice("email_tracking", EMAIL_NOTICE)
    report.notices.append("A notice without a code")             # shown as the engine wrote it
    summary = summarize_report(report)
    assert summary.notices == (
        "Your mailbox now synchronizes with Contoso (Japan) instead of Fabrikam; items from Fabrikam "
        "are kept but no longer tracked.", EMAIL_NOTICE, "A notice without a code")
    translators = install_translators(qapp, "ja")
    try:
        ja = summarize_report(report).notices
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    assert "Contoso (Japan)" in ja[0] and "synchronizes" not in ja[0] and ja[1] != EMAIL_NOTICE

"""The connection test's step reports in Japanese: every step outcome (passed, skipped,
failed, each wording variant) and every step title renders translated, with no English
left over but the product and protocol names the Japanese text keeps."""

from __future__ import annotations

import itertools
import re

from wizard.engine import connect_steps as T
from wizard.engine.connect import STEPS, StepResult
from wizard.engine.errors import WizardError
from wizard.engine.sync.dav import DavError, DavForbidden, DavRequest
from wizard.gui import render

#: Names the Japanese text keeps in Latin letters (products, protocols, UI names).
KEPT = {"DNS", "TLS", "HTTP", "HTTPS", "IFD", "VPN", "IT", "Windows", "AD", "FS", "Microsoft",
        "Entra", "ID", "Exchange", "Sync", "to", "Outlook", "Test", "Enable", "Dynamics", "CRM",
        "d365-wizard", "WhoAmI", "Business", "Management", "x"}

#: Sample values, Latin-free on purpose, so any Latin word left in a text is the template's.
SAMPLES = {"host": "《ホスト》", "port": 443, "addresses": "《アドレス》", "org": "《組織》",
           "cloud": "《クラウド》", "tls_version": "《版》", "issuer": "《発行者》",
           "proxy": "《プロキシ》", "user": "《ユーザー》", "user_id": "《ID値》",
           "version": "7.0", "method": "《方法》", "status": "《状態》", "last_sync": "《日時》"}

#: The fields that choose a wording variant, with the values that reach each variant.
TOGGLES = {"via_proxy": (False, True), "kind": ("online", "onprem", "ifd"),
           "cloud": (None, "《クラウド》"), "issuer": (None, "《発行者》"), "proxy": (None, "《プロキシ》"),
           "auth_method": ("ntlm", "adfs", "oauth", "《方式》"), "user": (None, "《ユーザー》"),
           "last_sync": (None, "《日時》")}


def step_classes() -> list[type[T.StepText]]:
    found, pending = [], [T.StepText]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls not in found and vars(cls).get("template"):
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


def outcomes(cls: type[WizardError]) -> list[WizardError]:
    """One instance of ``cls`` per combination of the variant-choosing fields it uses."""
    texts = [getattr(cls, n) for n in dir(cls) if n == "template" or n.endswith("_template")]
    used = set(re.findall(r"{(\w+)}", " ".join(t for t in texts if isinstance(t, str))))
    base = {k: v for k, v in SAMPLES.items() if k in used}
    names = list(TOGGLES)
    return [cls(**{**base, **dict(zip(names, values, strict=True))})
            for values in itertools.product(*(TOGGLES[n] for n in names))]


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9-]*", text)) - KEPT


def test_every_step_class_has_a_code_of_its_own():
    codes = [cls.code for cls in step_classes()]
    assert len(step_classes()) > 25
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert "step" not in codes and "step_skipped" not in codes and "step_failed" not in codes


def test_every_wording_variant_is_reached():
    for cls in step_classes():
        reached = {cls.templates(o)[0] for o in outcomes(cls)}
        variants = {getattr(cls, n) for n in render._template_names(cls) if n != "fix_template"}
        assert variants <= reached, (cls.__name__, variants - reached)


def test_every_step_outcome_renders_in_japanese(japanese):
    leftover = {}
    for cls in step_classes():
        for outcome in outcomes(cls):
            text, fix, _action = render.render(outcome)
            assert text and text != outcome.message, cls.__name__
            assert "{" not in text + fix, (cls.__name__, text, fix)
            if outcome.fix:
                assert fix and fix != outcome.fix, cls.__name__
            words = latin_words(text + " " + fix)
            if words:
                leftover[f"{cls.__name__}: {text} {fix}"] = words
    assert not leftover, leftover


def test_every_step_title_renders_in_japanese(japanese):
    from wizard.gui.services import step_title

    for name, english in STEPS:
        title = step_title(name, english)
        assert title != english and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", title), name
        assert not latin_words(title), (name, title)


def test_the_gui_shows_a_step_report_in_the_users_language(japanese):
    from wizard.gui.services import _view

    failed = T.TcpFailed(host="《ホスト》", port=443, via_proxy=True, details="ConnectionRefused")
    step = StepResult("tcp", "Network connection", "failed", 0.1, failed.message, failed.fix,
                      failed.details, failed.code, {}, text=failed)
    report = _view(step)
    assert report.message == render.render(failed)[0] and "《ホスト》" in report.message
    assert not latin_words(report.message + report.fix)
    assert report.message != failed.message and step.message.startswith("Could not connect")


def test_every_dav_request_is_worded_in_japanese(japanese):
    for what, cls in itertools.product(DavRequest, (DavError, DavForbidden)):
        err = cls(host="《ホスト》", status=500, what=what, url="《アドレス》")
        text = render.render(err)[0]
        assert not re.search(r"DavRequest|_|{", err.message), err.message   # words, not a code
        assert not latin_words(text), (what, text)

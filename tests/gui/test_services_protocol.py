"""The real adapter and the test fake both implement the GUI's seam, member by member."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import get_type_hints

import pytest

from tests.gui.fake_services import FakeServices
from wizard.gui import views
from wizard.gui.services import EngineServices
from wizard.gui.views import Services

ROOT = Path(__file__).resolve().parents[2]
IMPLEMENTATIONS = [EngineServices, FakeServices]


def _protocol_methods() -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(Services).items()
            if callable(member) and not name.startswith("_")}


def _shape(signature: inspect.Signature) -> list[tuple[str, object, bool]]:
    """Parameter names, kinds and whether each has a default (what a caller relies on)."""
    return [(p.name, p.kind, p.default is not inspect.Parameter.empty)
            for p in signature.parameters.values() if p.name != "self"]


def test_the_protocol_lists_what_the_windows_use():
    methods = _protocol_methods()
    assert len(methods) >= 35
    assert {"commit", "sync_settings", "apply_site_deployment", "refresh_mailbox_records"} <= set(methods)
    assert set(get_type_hints(Services, vars(views))) >= {"sandbox_mode", "startup_notes"}


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda c: c.__name__)
def test_every_protocol_method_is_implemented_with_the_same_parameters(implementation):
    for name, expected in _protocol_methods().items():
        member = getattr(implementation, name, None)
        assert callable(member), f"{implementation.__name__} lacks {name}()"
        assert _shape(inspect.signature(member)) == _shape(expected), f"{implementation.__name__}.{name}"


def test_every_public_method_of_the_adapter_is_in_the_protocol():
    """The windows may only use what the protocol promises (and the fake provides)."""
    extra = {name for name, member in vars(EngineServices).items()
             if callable(member) and not name.startswith("_")} - set(_protocol_methods())
    assert extra <= {"from_options"}, sorted(extra)


def test_attributes_are_there():
    assert list(FakeServices().startup_notes) == []
    assert FakeServices.sandbox_mode is True


def test_mypy_accepts_both_implementations_as_services(tmp_path):
    from mypy import api as mypy

    out, err, status = mypy.run(["--follow-imports=silent", "--ignore-missing-imports",
                                 "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
                                 str(ROOT / "tests" / "gui" / "protocol_check.py")])
    assert status == 0, out + err


def test_mypy_finds_a_missing_member(tmp_path):
    """The check above can fail: a class lacking one protocol method is reported."""
    from mypy import api as mypy

    broken = tmp_path / "broken_check.py"
    broken.write_text(
        "from tests.gui.fake_services import FakeServices\n"
        "from wizard.gui.views import Services\n"
        "class Partial(FakeServices):\n"
        "    close = None  # type: ignore[assignment]\n"
        "def check(services: Partial) -> Services:\n"
        "    return services\n")
    out, err, status = mypy.run(["--follow-imports=silent", "--ignore-missing-imports",
                                 "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
                                 str(broken)])
    assert status == 1 and "Services" in out, out + err

"""How the GUI process shares the GIL: a short switch interval, imports ahead without a long collection."""

from __future__ import annotations

import gc
import sys

import pytest

from wizard.gui import runtime


class Marker:
    pass


@pytest.fixture
def collector():
    """Restore the collector's state, whatever a test did to it."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def test_long_lived_pauses_the_collector_then_freezes_what_the_block_made(collector):
    gc.enable()
    with runtime.long_lived():
        assert not gc.isenabled()
        kept = [Marker() for _ in range(100)]
    assert gc.isenabled()
    tracked = {id(o) for o in gc.get_objects()}       # the permanent generation is not listed
    assert not any(id(o) in tracked for o in kept)
    assert gc.get_freeze_count() >= len(kept)


def test_long_lived_restores_the_collector_after_an_error(collector):
    gc.enable()
    with pytest.raises(RuntimeError), runtime.long_lived():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    with runtime.long_lived():
        pass
    assert not gc.isenabled()                         # it was off before: it stays off


def test_import_ahead_imports_and_reports_what_failed(collector):
    sys.modules.pop("colorsys", None)
    failed = runtime.import_ahead(["colorsys", "wizard.no_such_module"])
    assert failed == ["wizard.no_such_module"]
    assert "colorsys" in sys.modules


def test_favour_gui_thread_shortens_the_time_slice():
    before = sys.getswitchinterval()
    try:
        runtime.favour_gui_thread()
        assert sys.getswitchinterval() == pytest.approx(runtime.SWITCH_INTERVAL)
        assert runtime.SWITCH_INTERVAL < 0.005
    finally:
        sys.setswitchinterval(before)

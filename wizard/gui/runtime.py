"""How the GUI process shares Python's interpreter lock (GIL) with its workers.

The window stalls whenever its thread waits for the GIL, which every Python slot, model
``data()`` call and paint override needs. ``tests/benchmarks/bench_gui_stall.py --explain``
shows where; these are the causes found, and what this module does about each.

**Hand-offs.** The event loop releases the GIL while Qt works in C++, and takes it back
for every Python call Qt makes: painting a table through a Python model makes about seven
``data()`` calls per cell. When a worker runs Python code meanwhile, each take-back waits
for the worker's time slice to end, 5 ms by default (``sys.getswitchinterval()``). With a
busy worker, repainting a 20 x 4 Python-model table took about 1.5 s at 5 ms and 0.28 s at 1 ms.
So :func:`favour_gui_thread` makes the slice 1 ms (a worker running alone is not affected),
and tables that repaint while workers run keep their texts in Qt instead
(:class:`wizard.gui.models.StepListModel`).

**Full collections.** A full (generation-2) collection walks every object the process
tracks while it holds the GIL. Right after msal, keyring, requests and their dependencies
are imported (about 270 modules), that walk took 30-45 ms on a worker thread, and the GUI
thread stood still for as long.

So :func:`import_ahead` imports those modules once, before the first list shows, with the
collector paused (imports make long-lived objects, not garbage), then moves everything
alive into the permanent generation with :func:`gc.freeze`, which later collections
ignore. It is the disable, freeze, enable sequence the :mod:`gc` documentation describes
(there before ``fork()``). The cost: an object alive at that moment that later becomes
cyclic garbage is never reclaimed. At that moment the app holds little besides modules,
classes and the main window, which live as long as it does.

**Imports that compete with clicks.** Importing a dialog's module builds its Qt classes'
Python enums (35 ms for the Add wizard, on whichever thread imports it first), and a click
that needs a module a worker is still importing waits for that import to finish. So the
main window imports the dialogs' modules and the engine's (``MainWindow.DIALOG_MODULES``,
``EngineServices.warm_up``) on the worker that reads the first list, before the list shows
and the first click can come. About 0.3 s, once per start.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: Seconds a thread runs before another thread that wants the GIL gets it (Python's default: 0.005).
SWITCH_INTERVAL = 0.001


def favour_gui_thread() -> None:
    """Call once in the GUI process, before workers start (see the module's docstring)."""
    sys.setswitchinterval(SWITCH_INTERVAL)


@contextmanager
def long_lived() -> Iterator[None]:
    """Pause the cyclic collector for a block that creates long-lived objects, then freeze."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def import_ahead(modules: Iterable[str]) -> list[str]:
    """Import ``modules`` inside :func:`long_lived`; returns the ones that failed.

    A failure is not reported to the user here: the feature that needs the module reports
    it, with its fix, when it is used.
    """
    failed = []
    with long_lived():
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - reported by the feature that needs it
                log.debug("import ahead of %s failed", name, exc_info=True)
                failed.append(name)
    return failed

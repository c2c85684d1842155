"""Work-arounds for the Qt binding in use.

PySide6 6.12 (the stable-ABI wheel) returns ``None`` from void methods and ``True`` from
``Signal.emit`` without taking a reference. On Python 3.12+ those objects are immortal and
nothing happens; on Python 3.11 every ``label.setText(...)`` or ``signal.emit(...)`` eats
one reference, and after enough calls the interpreter aborts with "deallocating None" /
"deallocating True or False". We detect the leak at start-up and, only then, give the
three singletons the huge reference counts Python 3.12 gives them (immortality by
another name). The real fix is Python >= 3.12 or a PySide6 without the bug.
"""

from __future__ import annotations

import ctypes
import sys

_IMMORTAL_BOOST = 1 << 40
_applied = False


def pyside_leaks_singletons() -> bool:
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(32):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= 32


def protect_singletons() -> bool:
    """Apply the work-around if this interpreter needs it; True when applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or not pyside_leaks_singletons():
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += _IMMORTAL_BOOST
    _applied = True
    return True

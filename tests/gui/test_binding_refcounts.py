"""The Qt binding in use keeps Python's reference counts right.

PySide6-Essentials 6.12.0 on Python 3.11 loses a reference to None on every void call
and to True on every Signal.emit, and the interpreter aborts after a few thousand
calls; pyproject.toml excludes that version. This test catches such a binding.
"""

from __future__ import annotations

import subprocess
import sys

HAMMER = r"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Emitter(QObject):
    changed = Signal(object)

app = QApplication(["x"])
label = QLabel()
emitter = Emitter()
emitter.changed.connect(lambda value: None)
for i in range(200_000):            # far more than None's or True's ordinary reference count
    label.setText("x")
    emitter.changed.emit(i)
print("survived")
"""


def test_many_void_calls_and_emits_do_not_abort_the_interpreter():
    done = subprocess.run([sys.executable, "-c", HAMMER], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout

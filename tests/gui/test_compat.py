"""The GUI survives PySide6's lost references to None/True (wizard/gui/compat.py)."""

from __future__ import annotations

import subprocess
import sys

HAMMER = r"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import wizard.gui                      # applies the work-around when needed
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


def test_many_calls_and_emits_do_not_abort_the_interpreter():
    done = subprocess.run([sys.executable, "-c", HAMMER], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout

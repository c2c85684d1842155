"""The PySide6 GUI. The only package that imports Qt."""

from wizard.gui.compat import protect_singletons

# Before any widget exists: see wizard/gui/compat.py (a refcount bug of the binding).
protect_singletons()

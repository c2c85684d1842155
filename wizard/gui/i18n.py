"""Translations: one helper, one context, and the loader for ``--lang`` / the system locale.

Every user-visible GUI string goes through :func:`tr`. ``pyside6-lupdate`` files calls of
an imported ``tr(...)`` under the empty context, so the helper translates in that context
too; the .ts file has one context and no string is missed (tests/gui/test_i18n.py checks).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

CONTEXT = ""
SUPPORTED = ("en", "ja")


def tr(text: str, disambiguation: str = "", n: int = -1) -> str:
    """``text`` in the user's language. With ``n`` (and "%n" in ``text``), the plural form for
    that number from the catalogue's numerus forms: ``tr("%n organizations configured.", "", n)``
    (lupdate reads exactly that shape)."""
    return QCoreApplication.translate(CONTEXT, text, disambiguation or None, n)


def resources_dir() -> Path:
    """``resources/`` of a source checkout, or the copy installed inside the package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "resources", here.parents[1] / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parents[2] / "resources"


def pick_language(requested: str | None) -> str:
    """``--lang`` wins; otherwise the system locale; anything unsupported falls back to English."""
    code = (requested or QLocale.system().name() or "en").replace("-", "_").split("_")[0].lower()
    return code if code in SUPPORTED else "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load our catalogue and Qt's own (button texts such as "Cancel") for ``language``."""
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    ours = QTranslator(app)
    if ours.load(str(resources_dir() / "translations" / f"d365_wizard_{language}.qm")):
        app.installTranslator(ours)
        installed.append(ours)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for base in ("qtbase",):
        qt = QTranslator(app)
        if qt.load(f"{base}_{language}", qt_dir):
            app.installTranslator(qt)
            installed.append(qt)
    QLocale.setDefault(QLocale(language))
    return installed

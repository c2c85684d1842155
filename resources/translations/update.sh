#!/bin/sh
# Refresh the catalogue from the sources, then compile it. Translate new strings in
# d365_wizard_ja.ts (Qt Linguist: pyside6-linguist) before compiling for a release;
# tests/gui/test_i18n.py fails while any string is unfinished.
set -e
cd "$(dirname "$0")/../.."
BIN="${PYSIDE_BIN:-$(dirname "$(command -v python3)")}"
# The engine's message templates, listed for lupdate (wizard/gui/render.py).
"$BIN/python" -m wizard.gui.render
"$BIN/pyside6-lupdate" -no-obsolete wizard/gui/*.py -ts resources/translations/d365_wizard_ja.ts
"$BIN/pyside6-lrelease" resources/translations/d365_wizard_ja.ts -qm resources/translations/d365_wizard_ja.qm

#!/usr/bin/env bash
# Build the one-folder bundle dist/d365-wizard/ (both executables) with PyInstaller,
# render the Linux icons, and print the size and the time it took.
#   bash packaging/build.sh                 # uses $PYTHON (default: .venv/bin/python, else python3)
# PyInstaller is a packaging-only dependency: pip install '.[packaging]'.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
"$PYTHON" -c "import PyInstaller" 2>/dev/null || {
    echo "build.sh: PyInstaller is missing; install it with: $PYTHON -m pip install '.[packaging]'" >&2
    exit 2
}
start=$(date +%s)
QT_QPA_PLATFORM=offscreen "$PYTHON" packaging/render_icons.py
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/d365-wizard.spec
end=$(date +%s)
echo "build.sh: dist/d365-wizard/ built in $((end - start)) s, size $(du -sh dist/d365-wizard | cut -f1)"
ls dist/d365-wizard/d365-wizard dist/d365-wizard/d365-orgs 2>/dev/null || ls dist/d365-wizard

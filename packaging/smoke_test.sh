#!/usr/bin/env bash
# Smoke test of the frozen build (run after packaging/build.sh; not part of pytest, it is
# slow): both bundled executables answer --version, the CLI works without Python, and the
# GUI starts offscreen and quits by itself.
#   bash packaging/smoke_test.sh [DIST_DIR]     # default dist/d365-wizard
set -euo pipefail
cd "$(dirname "$0")/.."
DIST="${1:-dist/d365-wizard}"
ext=""; case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) ext=".exe" ;; esac
GUI="$DIST/d365-wizard$ext"; CLI="$DIST/d365-orgs$ext"
[ -x "$GUI" ] && [ -x "$CLI" ] || { echo "smoke_test: no build in $DIST (run packaging/build.sh)" >&2; exit 2; }
HOME_DIR="$(mktemp -d)"; trap 'rm -rf "$HOME_DIR"' EXIT
export D365_WIZARD_HOME="$HOME_DIR" QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
fail() { echo "smoke_test: FAIL: $*" >&2; exit 1; }

want="$(grep -m1 '__version__' wizard/__init__.py | cut -d'"' -f2)"
"$CLI" --version | grep -q "$want" || fail "d365-orgs --version"
"$GUI" --version | grep -q "$want" || fail "d365-wizard --version"
echo "ok: both answer --version ($want)"

"$CLI" check-url "https://contoso.crm4.dynamics.com/main.aspx?appid=1" --json | grep -q '"EUR"' \
    || fail "d365-orgs check-url"
"$CLI" export-deployment --json | grep -q '"schema_version": 1' || fail "d365-orgs export-deployment"
"$CLI" diagnostics --bundle "$HOME_DIR/bundle.zip" --no-connect --json >/dev/null \
    || fail "d365-orgs diagnostics"
echo "ok: the CLI runs (check-url, export-deployment, diagnostics)"

"$CLI" practice unknown-ca --duration 0.5 --json >/dev/null 2>&1 || fail "sandbox (practice) in the bundle"
echo "ok: the sandbox starts from the bundle"

# The frozen app must still find keyring's backends (entry points): with a private
# gnome-keyring on a private D-Bus, where available, the bundle reports the Secret Service.
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    mkdir -p "$HOME_DIR/kr"
    env HOME="$HOME_DIR/kr" XDG_RUNTIME_DIR="$HOME_DIR/kr" dbus-run-session -- sh -c \
        'printf "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;
         "$0" diagnostics --bundle "$1" --no-connect --json >/dev/null' "$CLI" "$HOME_DIR/kr.zip" 2>/dev/null \
        || fail "diagnostics under a private keyring"
    "$CLI" --version >/dev/null
    python3 -c 'import json,sys,zipfile; k=json.loads(zipfile.ZipFile(sys.argv[1]).read("keyring.json")); sys.exit(0 if k["available"] and "SecretService" in k["backend"] else 1)' "$HOME_DIR/kr.zip" \
        || fail "the frozen app did not find the Secret Service keyring"
    echo "ok: the frozen app uses the Secret Service keyring"
else
    echo "skip: no dbus-run-session/gnome-keyring-daemon, keyring backend not checked"
fi

t0=$(date +%s)
timeout 120 "$GUI" --quit-after 1500 || fail "the GUI did not start and quit offscreen"
echo "ok: the GUI started offscreen and quit ($(( $(date +%s) - t0 )) s)"
[ -s "$HOME_DIR/logs/d365-orgs.log" ] || fail "no log file written"
echo "smoke_test: all passed"

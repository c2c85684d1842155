#!/usr/bin/env bash
# One command per job on a fresh machine: installs what is missing, then runs.
#   bash packaging/dev.sh sandbox   # the app on the built-in sandbox tenant
#   bash packaging/dev.sh test      # the test suite (extra args go to pytest)
#   bash packaging/dev.sh lint      # ruff and mypy (configured in pyproject.toml); fails on a finding
#   bash packaging/dev.sh setup     # only install
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${D365_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

system_packages() {
    command -v apt-get >/dev/null 2>&1 || { echo "dev.sh: not a Debian/Ubuntu system; install the packages in packaging/debian-packages.txt (or your OS's equivalents) yourself." >&2; return 0; }
    mapfile -t pkgs < <(grep -v '^#' packaging/debian-packages.txt | grep -v '^$')
    missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "dev.sh: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

python_env() {
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[test]'
}

cmd="${1:-}"; shift || true
case "$cmd" in
    setup) system_packages; python_env ;;
    sandbox) system_packages; python_env; exec "$VENV/bin/d365-wizard" --sandbox "$@" ;;
    test) system_packages; python_env; exec "$VENV/bin/python" -m pytest "$@" ;;
    lint) system_packages; python_env
          "$VENV/bin/ruff" check wizard tests packaging
          exec "$VENV/bin/mypy" ;;
    *) echo "usage: bash packaging/dev.sh {sandbox|test|lint|setup}" >&2; exit 2 ;;
esac

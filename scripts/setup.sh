#!/usr/bin/env bash
# Creates .venv and installs the project with its dev extra, saying what it does. Idempotent: does nothing
# (and prints nothing) when pyproject.toml has not changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "CryptoScalper needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
say() { echo "setup: $*" >&2; }
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  began=$SECONDS
  say "upgrading pip"
  .venv/bin/python -m pip install --quiet --upgrade pip
  say "installing CryptoScalper and its dependencies into .venv (first time: a few minutes)"
  # One line per package as pip collects it, then what was installed; pip's own errors pass through.
  .venv/bin/python -m pip install --progress-bar off -e ".[dev]" 2>&1 \
    | { grep --line-buffered -E '^(Collecting|Successfully installed|ERROR|error)' \
        | sed -u -e 's/^Collecting /setup:   collecting /' -e 's/^Successfully installed .*/setup:   installed/' \
        >&2 || true; }
  rm -f .venv/.installed-*
  touch "$stamp"
  say "ready in $((SECONDS - began)) s"
fi

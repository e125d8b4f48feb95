#!/usr/bin/env bash
# Set-up shared by the README's two commands: a virtual environment with the project and its
# tools, and the system programs it drives (Graphviz's dot; for tests, Chromium, tmux and pdflatex).
# Idempotent and fast on a second run: each step is skipped when already done.
# Usage: source scripts/setup.sh [--dev]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

say() { printf 'setup: %s\n' "$*" >&2; }

# apt-get as root, sudo apt-get otherwise; on other systems, say what to install.
apt_install() {
    local missing=("$@")
    if command -v apt-get >/dev/null 2>&1; then
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then
            if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
                say "please install ${missing[*]} (apt-get install ${missing[*]}) as root, then run this again"; return 1
            fi
        fi
        say "installing ${missing[*]} with apt-get"
        if [ ! -f "$ROOT/.venv/.apt-updated" ]; then $sudo apt-get update -qq >&2 || true; fi
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
        mkdir -p "$ROOT/.venv" && touch "$ROOT/.venv/.apt-updated"
    else
        say "please install ${missing[*]} with your system's package manager (e.g. 'brew install graphviz'), then run this again"
        return 1
    fi
}

PY="${PYTHON:-python3}"
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
# the system Python is asked only when the environment is still to be made: each question is an
# interpreter start, paid again by every `bash scripts/run.sh` before the app's first screen
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        say "graphviz-nn needs Python 3.10 or newer as 'python3' (or set PYTHON=/path/to/python)"; exit 1
    fi
    "$PY" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
fi
if [ "$DEV" = 1 ]; then
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium chromium-driver)
    command -v chromedriver >/dev/null 2>&1 || [[ " ${need[*]} " == *" chromium-driver "* ]] || need+=(chromium-driver)
    command -v tmux >/dev/null 2>&1 || need+=(tmux)
    # pdflatex, Beamer and PGF for the test that compiles `frames --beamer` (about 64 MB to download)
    { command -v pdflatex && kpsewhich beamer.cls && kpsewhich pgfcore.sty; } >/dev/null 2>&1 \
        || need+=(texlive-latex-recommended texlive-pictures)
fi
if [ "${#need[@]}" -gt 0 ]; then apt_install "${need[@]}"; fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment in .venv"
    "$PY" -m venv "$VENV"
fi

# Reinstall only when the packaging files change (a stamp holds their hash).
extras=""
[ "$DEV" = 1 ] && extras="[dev,web,gif]"
stamp="$VENV/.installed"
[ "$DEV" = 1 ] && stamp="$VENV/.installed-dev"
want="$(cat "$ROOT/pyproject.toml" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)"
# an install with the test tools holds the plain one too: the run command then installs nothing
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] && [ "$(cat "$VENV/.installed-dev" 2>/dev/null)" != "$want" ]; then
    say "installing graphviz-nn${extras} into .venv"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT$extras" >&2
    echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"

# Bytecode for the project's own modules, made again only when a source is newer than the last
# compile: where Python may not write it (PYTHONDONTWRITEBYTECODE, as on this project's machines),
# every start would otherwise compile ~100 modules before the app's first screen (a third of it).
compiled="$VENV/.compiled"
if [ ! -f "$compiled" ] || [ -n "$(find "$ROOT/graphviz_nn" "$ROOT/tui" -name '*.py' -newer "$compiled" -print -quit)" ]; then
    "$VENV/bin/python" -m compileall -q "$ROOT/graphviz_nn" "$ROOT/tui" >/dev/null && touch "$compiled"
fi

#!/usr/bin/env bash
# Set everything up (with the test tools, Chromium and tmux), then run the whole test suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" --dev
cd "$ROOT"
exec python -m pytest -n 2 "$@"

#!/usr/bin/env bash
# Set everything up, then open the step debugger on the default scenario (extra arguments pass through).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec graphviz-nn "$@"

#!/usr/bin/env bash
# CI for the installers: builds every artifact (installer/build.sh) and checks them
# (installer/test.sh). It installs what a fresh Debian machine lacks and exits non-zero
# when any build step or check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
installer/build.sh
installer/test.sh

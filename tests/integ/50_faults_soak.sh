#!/usr/bin/env bash
# Fault: mixed load for a while under the ASan daemon with leak checking:
# bench/soak.sh for SOAK_SECONDS (default 60; the full soak is 600 s:
# `bench/soak.sh 600`). RSS flat, answers flowing, every reload taken, a
# clean exit with no sanitizer report.
set -u
exec "$(dirname "$0")/../../bench/soak.sh" "${SOAK_SECONDS:-60}"

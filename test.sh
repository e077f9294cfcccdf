#!/usr/bin/env bash
# The test command of the README: builds every module (nvcc compiles cuda-src when present) and runs
# every test (unit, cross-backend conformance with CUDA cases skipped without a GPU, end to end).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/scripts/find-jdk.sh"
geomend_find_jdk || exit 1
export JAVA_HOME="$GEOMEND_JAVA_HOME"
cd "$here"
mvn -B "$@" install 2>&1 | grep -v -e '^WARNING: .*sun.misc.Unsafe' -e '^WARNING: Please consider reporting' -e 'will be removed in a future release' -e '^WARNING: A terminally deprecated method'
exit "${PIPESTATUS[0]}"

#!/usr/bin/env bash
# Builds geomend (all modules, the CUDA fatbin when nvcc is present) into geomend-app/target/geomend.jar.
# Extra arguments go to Maven (e.g. ./build.sh -DskipTests is the default; ./build.sh -o for offline).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/scripts/find-jdk.sh"
geomend_find_jdk || exit 1
export JAVA_HOME="$GEOMEND_JAVA_HOME"
command -v mvn >/dev/null 2>&1 || { echo "build.sh: Maven (mvn) not found on PATH" >&2; exit 1; }
cd "$here"
mvn -B -q -DskipTests "$@" install
echo "build.sh: built $here/geomend-app/target/geomend.jar with $JAVA_HOME" >&2

# Sourced by build.sh, geomend and .ci/run: sets GEOMEND_JAVA_HOME to a JDK >= 25 or fails with a clear message.
# Order: $JAVA_HOME, then /usr/lib/jvm/*, then /opt/java/*, /usr/local/*jdk*, then the java on PATH.
geomend_java_major() { # $1 = a JDK/JRE home; prints its major version or nothing
  local rel="$1/release" v=""
  if [ -f "$rel" ]; then v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel" | head -1); fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  fi
  echo "$v"
}
geomend_find_jdk() {
  local need=25 c v
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/*jdk* "$HOME"/.jdks/*; do [ -d "$c" ] && candidates+=("$c"); done
  if command -v java >/dev/null 2>&1; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for c in "${candidates[@]}"; do
    v=$(geomend_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge "$need" ] 2>/dev/null && [ -x "$c/bin/java" ]; then GEOMEND_JAVA_HOME="$c"; return 0; fi
  done
  echo "geomend: no JDK >= $need found (looked at JAVA_HOME=${JAVA_HOME:-<unset>}, /usr/lib/jvm/*, /opt/java/*, the java on PATH)." >&2
  echo "geomend: install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}

# Sourced by ./shoal and the bench/ scripts: finds a JDK >= $min_java (JAVA_HOME first if it is new enough, else
# the newest under the system's JVM directories: /usr/lib/jvm, /usr/java, macOS's JavaVirtualMachines, or the
# directories listed in SHOAL_JVM_DIRS) and exports JAVA_HOME and PATH for it.
min_java="${min_java:-25}"

java_major() { # prints the feature version of the java binary in $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  local d
  local dirs="${SHOAL_JVM_DIRS:-/usr/lib/jvm /usr/java /Library/Java/JavaVirtualMachines}"
  local root
  for root in $dirs; do
    for d in "$root"/* "$root"/*/Contents/Home; do
      [ -d "$d" ] && candidates+=("$d")
    done
  done
  local best="" best_v=0 v
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(java_major "$d/bin/java")
    [ -n "$v" ] || continue
    if [ "$d" = "${JAVA_HOME:-}" ] && [ "$v" -ge "$min_java" ]; then best="$d"; break; fi
    if [ "$v" -ge "$min_java" ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  [ -n "$best" ] && echo "$best"
}

use_jdk() { # exports JAVA_HOME and PATH for the JDK found, or fails naming what to install; $1 names the caller
  local jdk
  jdk="$(find_jdk || true)"
  if [ -z "$jdk" ]; then
    echo "$1: no JDK $min_java or newer found (looked at JAVA_HOME and ${SHOAL_JVM_DIRS:-/usr/lib/jvm}); install a JDK $min_java or newer (e.g. Eclipse Temurin 25 or OpenJDK 25) and set JAVA_HOME to it" >&2
    return 1
  fi
  export JAVA_HOME="$jdk"
  export PATH="$JAVA_HOME/bin:$PATH"
}

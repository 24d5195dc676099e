#!/usr/bin/env bash
# Instructions per L1 hit, counted by valgrind (steady where wall time is not): for each cache type
# given, runs HitCost under callgrind and prints the measuring thread's instructions per hit.
#   benchmarks/hit-cost.sh [--polluted] [--java PATH] [--hits N] TYPE...
# TYPE is a CacheType (Caffeine, TieredCache, ...). Build first:
#   ./mvnw -q -B -pl benchmarks -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
polluted=false; java=java; hits=2000000
while [ $# -gt 0 ]; do
  case "$1" in
    --polluted) polluted=true; shift ;;
    --java) java="$2"; shift 2 ;;
    --hits) hits="$2"; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--polluted] [--java PATH] [--hits N] TYPE..." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for type in "$@"; do
  rm -f "$work"/cg.*
  valgrind --tool=callgrind --smc-check=all --separate-threads=yes --callgrind-out-file="$work/cg.%p" \
    "$java" -Xbatch -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:-ImplicitNullChecks \
    -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.HitCost "$type" "$polluted" "$hits" \
    > "$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
  measured=$(grep -l Adler32 "$work"/cg.*-* | sort -t- -k2 -n | tail -1)
  total=$(awk '/^summary:/ {print $2}' "$measured")
  printf '%-22s polluted=%-5s java=%s  %s instructions/hit\n' "$type" "$polluted" \
    "$("$java" -version 2>&1 | head -1 | cut -d'"' -f2)" "$(echo "scale=1; $total / $hits" | bc)"
done

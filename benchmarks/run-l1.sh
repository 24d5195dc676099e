#!/usr/bin/env bash
# Builds the benchmarks jar and runs the L1 hit benchmark with the GC profiler, then prints each
# variant's ratio to raw Caffeine from the same run (and, over several rounds, the median ratio).
#
#   benchmarks/run-l1.sh                      # defaults below, about 9 minutes
#   benchmarks/run-l1.sh --rounds 1 -prof gc -f 3 -wi 3 -i 5 -w 1s -r 2s -p cacheType=Caffeine,TieredCache
#
# Arguments replace the defaults. Tests are not even compiled (-Dmaven.test.skip): the jar needs
# none, and a test another engineer is halfway through cannot break the benchmark build.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -pl benchmarks -am package -Dmaven.test.skip=true

if [ "$#" -eq 0 ]; then
  set -- --rounds 3 -prof gc -prof io.tieredcache.benchmarks.CpuTimeProfiler -f 1 -wi 3 -i 5 -w 1s -r 2s
fi
rounds=()
if [ "${1:-}" = "--rounds" ]; then
  rounds=("$1" "$2")
  shift 2
fi
exec java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.Compare "${rounds[@]}" \
  L1HitBenchmark -rf json -rff benchmarks/target/l1-hit.json "$@"

#!/usr/bin/env bash
# Builds the benchmarks jar and runs the L1 hit benchmark with the GC profiler, then prints each
# variant's ratio to raw Caffeine from the same run. Arguments replace the default JMH options,
# e.g.  benchmarks/run-l1.sh -prof gc -f 3 -wi 3 -i 5 -w 1s -r 2s -p cacheType=Caffeine,TieredCache
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -pl benchmarks -am package -DskipTests

if [ "$#" -eq 0 ]; then
  set -- -prof gc -f 1 -wi 3 -i 5 -w 1s -r 2s
fi
exec java -cp benchmarks/target/benchmarks.jar io.tieredcache.benchmarks.Compare \
  L1HitBenchmark -rf json -rff benchmarks/target/l1-hit.json "$@"

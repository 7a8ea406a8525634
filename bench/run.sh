#!/usr/bin/env bash
# Benchmarks of exports, crawls, jobs, the status cache, task dispatch and live route edits (not tests). Run from anywhere;
# prints Markdown tables.
#   bench/run.sh                 all of them
#   bench/run.sh efficiency      one of: efficiency throughput memory crawl csv jobs status dispatch runs reload metrics incremental
#   bench/run.sh takeover        kill -9 to the survivor's first lookup, two jars (builds the jar when missing)
#   bench/run.sh spread          one crawl over three jars against the same crawl on one (builds the jar)
#   bench/run.sh startup         java -jar to /observe/health UP, first start and restart (builds the jar)
#   bench/run.sh heap            10 M records exported by the jar under -Xmx64m and -Xmx256m; the idle live heap
#   METRICS_RECORDS=50000 bench/run.sh metrics   a smaller export for the metrics on/off comparison (default 200000)
# Uses the embedded PostgreSQL and Redis of the test support and a local upstream in the same JVM;
# dispatch also runs /usr/bin/redis-benchmark against that Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pbench -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
JAVA_OPTS=(-Dharvester.log-dir=target/bench/logs)
mkdir -p target/bench
modes="${*:-efficiency throughput memory crawl csv jobs status dispatch runs reload metrics incremental takeover spread startup heap}"
for mode in $modes; do
    echo "## $mode"
    heap=-Xmx1g
    [ "$mode" = memory ] && heap=-Xmx256m
    # the daemon's console log goes to a file; only the result tables are printed
    main=io.harvester.bench.ExportBenchmark
    [ "$mode" = crawl ] && main=io.harvester.bench.CrawlBenchmark
    [ "$mode" = csv ] && main=io.harvester.bench.CsvRenderBenchmark
    [ "$mode" = jobs ] && main=io.harvester.bench.JobStepBenchmark
    [ "$mode" = status ] && main=io.harvester.bench.StatusBenchmark
    [ "$mode" = dispatch ] && main=io.harvester.bench.DispatchBenchmark
    [ "$mode" = runs ] && main=io.harvester.bench.RunsApiBenchmark
    [ "$mode" = reload ] && main=io.harvester.bench.ReloadBenchmark
    [ "$mode" = incremental ] && main=io.harvester.bench.IncrementalBenchmark
    if [ "$mode" = takeover ] || [ "$mode" = spread ] || [ "$mode" = startup ] || [ "$mode" = heap ]; then
        main=io.harvester.bench.TakeoverBenchmark
        [ "$mode" = spread ] && main=io.harvester.bench.SpreadBenchmark
        [ "$mode" = startup ] && main=io.harvester.bench.StartupBenchmark
        [ "$mode" = heap ] && main=io.harvester.bench.HeapBenchmark
        mvn -B -q -Pbench -DskipTests package
        JAVA_OPTS+=(-Dharvester.jar="$PWD/target/harvester.jar" -Dharvester.repo="$PWD")
    fi
    args=("$mode")
    [ "$mode" = metrics ] && args+=("${METRICS_RECORDS:-200000}")
    java "$heap" "${JAVA_OPTS[@]}" -cp "$CP" "$main" "${args[@]}" > "target/bench/$mode.out" 2>&1 \
        || { tail -40 "target/bench/$mode.out"; exit 1; }
    grep -E '^\|' "target/bench/$mode.out"
    echo
done

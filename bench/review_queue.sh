#!/usr/bin/env bash
# Benchmark: the reviewers' queue with 10,000 integrations and 100 reviewers: the first page, a
# deep page, and a partner filter, each under load from 32 connections, with SQL statements per view.
#
#   bench/review_queue.sh                # BENCH_DURATION=20s BENCH_QUEUE=10000 BENCH_REVIEWERS=100
source "$(dirname "$0")/lib.sh"
size="${BENCH_QUEUE:-10000}"
reviewers="${BENCH_REVIEWERS:-100}"

bench_setup
"$portal" seed --database-url "$database" --queue "$size" --reviewers "$reviewers"
# As autovacuum would have by now: statistics, and the visibility map that lets count(*) read only the index.
psql "$database" -q -c "VACUUM ANALYZE" >/dev/null
bench_serve
bench_sign_in reviewer1@seeded.example
bench_page "/review" "queue, first page of $size"
bench_page "/review?status=all&page=150" "queue, page 150 of everything"
bench_page "/review?partner=Partner%2042&sort=newest" "queue filtered by partner"

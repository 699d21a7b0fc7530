#!/usr/bin/env bash
# Benchmark: the mock answering a documented call (POST with a JSON body, validated, answered from
# memory), side by side with the reference page of ../shared/bench/fortunes-ref in one run:
# reference, mock, reference. The portal runs with its default logging.
#
#   bench/mock.sh      # BENCH_DURATION=20s BENCH_CONNECTIONS=32; BENCH_PORTAL / BENCH_REFERENCE
#                      # name release builds made elsewhere, else both are built here
source "$(dirname "$0")/lib.sh"
ref_port="${BENCH_REF_PORT:-18090}"
reference="${BENCH_REFERENCE:-/tmp/ref-target/release/fortunes-ref}"

bench_setup
if [ -z "${BENCH_REFERENCE:-}" ]; then
  (cd ../shared/bench/fortunes-ref && CARGO_TARGET_DIR=/tmp/ref-target cargo build --release --quiet)
fi
psql "$server/postgres" -q -c "DROP DATABASE IF EXISTS fortunes_ref" -c "CREATE DATABASE fortunes_ref" >/dev/null
DATABASE_URL="$server/fortunes_ref" BIND="127.0.0.1:$ref_port" "$reference" >"$work/reference.log" 2>&1 &
reference_pid=$!
trap 'kill "${portal_pid:-0}" "${reference_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# Ten submitted integrations; a mock key for the first, written as the page writes one (a
# SHA-256 digest of the key without its prefix).
"$portal" seed --database-url "$database" --queue 10 --reviewers 1 >/dev/null
integration="$(psql "$database" -Atc "SELECT integration_id FROM revisions ORDER BY integration_id LIMIT 1")"
path="$(psql "$database" -Atc "SELECT snapshot->'endpoints'->0->'spec'->>'path' FROM revisions WHERE integration_id = '$integration'")"
psql "$database" -q -c "INSERT INTO mock_keys (id, integration_id, name, prefix, key_hash, created_by)
  SELECT gen_random_uuid(), '$integration', 'bench', 'pmk_benchk', sha256('benchkey'::bytea), id
  FROM users WHERE email::text = 'reviewer1@seeded.example'"

PORTAL_MOCK_CALLS_PER_SECOND=1000000 "$portal" serve --database-url "$database" \
  --bind "127.0.0.1:$port" --public-url "$base" >"$work/portal.log" 2>&1 &
portal_pid=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && curl -fs "http://127.0.0.1:$ref_port/fortunes" >/dev/null && break; sleep 0.1; done

url="$base/mock/$integration$path"
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"mobileNo": "9928056506", "Attempt id": "1"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Mock-Key"] = "pmk_benchkey"
LUA
answer="$(curl -fs -X POST -H 'Content-Type: application/json' -H 'X-Mock-Key: pmk_benchkey' \
  -d '{"mobileNo": "9928056506"}' "$url")"
echo "the mock answers: $answer"

run() { # label, then wrk's arguments
  local label="$1"; shift
  wrk -t2 -c"$connections" -d"$duration" --latency "$@" >"$work/wrk.txt"
  local rps p99 errors
  rps="$(grep 'Requests/sec' "$work/wrk.txt" | awk '{print $2}')"
  p99="$(grep ' 99%' "$work/wrk.txt" | awk '{print $2}')"
  errors="$(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" | tr '\n' ' ')"
  echo "$label: $rps requests/s, p99 $p99 ${errors:+($errors)}" >&2
  echo "$rps"
}
before="$(run "reference /fortunes" "http://127.0.0.1:$ref_port/fortunes")"
mock="$(run "mock POST $path" -s "$work/post.lua" "$url")"
after="$(run "reference /fortunes" "http://127.0.0.1:$ref_port/fortunes")"
rss="$(ps -o rss= -p "$portal_pid" | awk '{printf "%.0f", $1 / 1024}')"
awk -v m="$mock" -v b="$before" -v a="$after" -v rss="$rss" -v c="$connections" -v d="$duration" 'BEGIN {
  printf "summary (mock): %.0f requests/s = %.2f of the reference (%.0f and %.0f requests/s around it), portal RSS %s MB, %s connections, %s\n", m, m / ((b + a) / 2), b, a, rss, c, d }'

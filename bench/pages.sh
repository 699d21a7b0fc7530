#!/usr/bin/env bash
# Benchmark: the portal's heavy pages side by side with the reference page of
# ../shared/bench/fortunes-ref (its README), in one run. For each page: reference /fortunes, the
# page, reference again, each wrk -t2 -c32; the page's requests/s divided by the mean of the two
# reference runs. Pages: /login (anonymous), the integration page of a 50-endpoint integration (its
# partner), the review queue of 10,000 submissions and the review page of a 50-endpoint submission
# (a reviewer).
#
# Statements per view are counted first, in a portal started with sqlx's statement log
# (bench_serve); that portal is then stopped and the measured runs go to a fresh one at its default
# logging (no RUST_LOG, text). Its peak RSS (VmHWM) is read at the end, after the measured runs.
#
#   bench/pages.sh     # BENCH_DURATION=10s BENCH_CONNECTIONS=32 BENCH_WARMUP=2s; BENCH_PORTAL and
#                      # BENCH_REFERENCE name release builds made elsewhere, else both are built here
BENCH_DURATION="${BENCH_DURATION:-10s}"
source "$(dirname "$0")/lib.sh"
ref_port="${BENCH_REF_PORT:-18090}"
reference="${BENCH_REFERENCE:-/tmp/ref-target/release/fortunes-ref}"
warmup="${BENCH_WARMUP:-2s}"
queue_size=10000
endpoints=50
ref_url="http://127.0.0.1:$ref_port/fortunes"

for p in "$port" "$ref_port"; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is already in use" >&2; exit 1; fi
done

bench_setup
if [ -z "${BENCH_REFERENCE:-}" ]; then
  (cd ../shared/bench/fortunes-ref && CARGO_TARGET_DIR=/tmp/ref-target cargo build --release --quiet)
fi
psql "$server/postgres" -q -c "DROP DATABASE IF EXISTS fortunes_ref" -c "CREATE DATABASE fortunes_ref" >/dev/null
DATABASE_URL="$server/fortunes_ref" BIND="127.0.0.1:$ref_port" "$reference" >"$work/reference.log" 2>&1 &
reference_pid=$!
trap 'kill "${portal_pid:-0}" "${reference_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# One database for all four pages: the queue as review_queue.sh seeds it, then two integrations of
# 50 endpoints for "Seeded Benchmark Co" as integration_page.sh seeds them: the first stays a draft
# (the partner's integration page), the second is submitted (the review page).
"$portal" seed --database-url "$database" --queue "$queue_size" --reviewers 100
seeded="$("$portal" seed --database-url "$database" --integrations 2 --endpoints "$endpoints")"
echo "$seeded"
draft="$(echo "$seeded" | grep -o '/integrations/[0-9a-f-]*' | awk 'NR == 1')"
submitted="$(echo "$seeded" | grep -o '/integrations/[0-9a-f-]*' | awk 'NR == 2')"
[ -n "$draft" ] && [ -n "$submitted" ] || { echo "seed printed no integrations" >&2; exit 1; }
submitted_id="${submitted#/integrations/}"

# --- Statements per view: a portal with sqlx's statement log, one request per page. ---
bench_serve
bench_wait "$base/healthz"
bench_wait "$ref_url"

bench_sign_in bench@seeded.example
cp "$work/jar" "$work/partner.jar"
partner_cookie="$cookie"
# The partner submits the second integration, as the page's form does (staging_review.sh).
token="$(curl -fs -b "$work/partner.jar" "$base$submitted" | grep -o 'name="csrf_token" value="[^"]*"' | awk 'NR == 1' | sed 's/.*value="//; s/"$//')"
curl -fs -b "$work/partner.jar" -o /dev/null --data-urlencode "csrf_token=$token" "$base$submitted/submit"
status="$(psql "$database" -Atc "SELECT status FROM integrations WHERE id = '$submitted_id'")"
[ "$status" = submitted ] || { echo "the second integration is '$status' after submitting, not 'submitted'" >&2; exit 1; }

bench_sign_in reviewer1@seeded.example
cp "$work/jar" "$work/reviewer.jar"
reviewer_cookie="$cookie"
# As autovacuum would have by now: statistics, and the visibility map (review_queue.sh).
psql "$database" -q -c "VACUUM ANALYZE" >/dev/null

labels=("\`/login\` (anonymous)"
        "integration page, $endpoints endpoints (partner)"
        "\`/review\`, queue of $queue_size (reviewer)"
        "review page, $endpoints endpoints (reviewer)")
paths=("/login" "$draft" "/review" "/review/$submitted_id")
jars=(- "$work/partner.jar" "$work/reviewer.jar" "$work/reviewer.jar")
cookies=("" "$partner_cookie" "$reviewer_cookie" "$reviewer_cookie")
statements=() sizes=()
for i in "${!paths[@]}"; do
  statements[i]="$(bench_count "${paths[i]}" "${jars[i]}")"
  sizes[i]="$(wc -c <"$work/page.html")"
  echo "${labels[i]}: ${paths[i]}, ${sizes[i]} bytes of HTML, ${statements[i]} SQL statements per view"
done
bench_stop

# --- Measured runs: a fresh portal at its default logging. ---
bench_serve_default
wrk_args() { [ -z "${cookies[$1]}" ] || printf '%s\n' -H "Cookie: ${cookies[$1]}"; }
for i in "${!paths[@]}"; do
  status="$(curl -s -o /dev/null -w '%{http_code}' ${cookies[i]:+-H "Cookie: ${cookies[i]}"} "$base${paths[i]}" || true)"
  [ "$status" = 200 ] || { echo "${paths[i]} answered $status at default logging, not 200" >&2; exit 1; }
done
# Warm-up, not measured: both servers' pools and caches, each page once.
duration_measured="$duration"; duration="$warmup"
bench_wrk "$ref_url"
for i in "${!paths[@]}"; do mapfile -t extra < <(wrk_args "$i"); bench_wrk "$base${paths[i]}" "${extra[@]}"; done
duration="$duration_measured"

echo
echo "Measured runs: wrk -t2 -c$connections -d$duration --latency; reference, page, reference (load average $(cut -d' ' -f1-3 /proc/loadavg))"
rows=()
for i in "${!paths[@]}"; do
  mapfile -t extra < <(wrk_args "$i")
  bench_wrk "$ref_url"
  before="$wrk_rps"
  echo "  reference /fortunes: $before requests/s, p99 $wrk_p99${wrk_error_detail:+ ($wrk_error_detail)}"
  bench_wrk "$base${paths[i]}" "${extra[@]}"
  rps="$wrk_rps" p99="$wrk_p99" errors="$wrk_errors" detail="$wrk_error_detail" bytes="$wrk_bytes"
  echo "  ${labels[i]}: $rps requests/s, p99 $p99, $errors errors${detail:+ ($detail)}, ~$bytes bytes read per response (page: ${sizes[i]})"
  bench_wrk "$ref_url"
  after="$wrk_rps"
  echo "  reference /fortunes: $after requests/s, p99 $wrk_p99${wrk_error_detail:+ ($wrk_error_detail)}"
  # wrk counts a 3xx as a success: make sure the session still held (the page still answers 200).
  status="$(curl -s -o /dev/null -w '%{http_code}' ${cookies[i]:+-H "Cookie: ${cookies[i]}"} "$base${paths[i]}" || true)"
  [ "$status" = 200 ] || echo "  WARNING: ${paths[i]} answered $status after its run, not 200" >&2
  rows+=("$(awk -v label="${labels[i]}" -v p="$rps" -v b="$before" -v a="$after" -v p99="$p99" \
    -v q="${statements[i]}" -v e="$errors" -v d="$detail" 'BEGIN {
      m = (b + a) / 2
      printf "| %s | %.0f | %.0f | %.2f | %s | %s | %s%s |", label, p, m, p / m, p99, q, e, (d != "" ? " (" d ")" : "") }')")
done
peak="$(awk '/^VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$portal_pid/status")"
reference_peak="$(awk '/^VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$reference_pid/status")"

echo
echo "| page | requests/s | reference requests/s | ratio | p99 | statements per view | errors |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Peak RSS of the portal over the measured runs (VmHWM, default logging): $peak (reference: $reference_peak)"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);" \
     "wrk -t2 -c$connections -d$duration; HEAD $(git rev-parse --short HEAD); portal $portal built $(date -u -r "$portal" '+%Y-%m-%d %H:%M UTC')"

#!/usr/bin/env bash
# Benchmark: does a sign-in flood slow the pages? The integration page of a 50-endpoint
# integration is loaded quiet (wrk -t2 -c32), then again while 8 more connections post wrong
# passwords as fast as they can (bench/sign_in_flood.lua: every attempt from a new address for a
# new e-mail, so each one costs an argon2 verification), then quiet again. Prints both p99s, their
# ratio (target: at most 2) and how many sign-ins the flood got answered.
#
#   bench/sign_in_flood.sh     # BENCH_DURATION=10s; BENCH_PORTAL names a release build made elsewhere
BENCH_DURATION="${BENCH_DURATION:-10s}"
source "$(dirname "$0")/lib.sh"
endpoints=50
flood_connections=8

bench_setup
seeded="$("$portal" seed --database-url "$database" --integrations 1 --endpoints "$endpoints")"
page="$(echo "$seeded" | grep -o '/integrations/[0-9a-f-]*' | awk 'NR == 1')"
[ -n "$page" ] || { echo "seed printed no integration" >&2; exit 1; }

# The default logging, and X-Forwarded-For believed so that the flood's addresses are its own.
PORTAL_TRUST_FORWARDED_FOR=true bench_serve_default
bench_sign_in bench@seeded.example
page_cookie="$cookie"
# The flood is an anonymous visitor: the sign-in form's CSRF token and the pre-session cookie
# it is bound to (every cookie the form set).
flood_token="$(curl -fs -c "$work/flood.jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | awk 'NR == 1' | sed 's/.*value="//; s/"$//')"
flood_cookie="$(awk 'NF >= 7 && $1 !~ /^#/ || $1 ~ /^#HttpOnly_/ {print $6"="$7}' "$work/flood.jar" | paste -sd ';' - | sed 's/;/; /g')"
[ -n "$flood_token" ] && [ -n "$flood_cookie" ] || { echo "no session for the flood" >&2; exit 1; }
# One attempt by hand: it must be refused as a wrong password (401), not as a bad form or a lock.
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $flood_cookie" -H "X-Forwarded-For: 10.250.0.1" \
  --data-urlencode "csrf_token=$flood_token" --data-urlencode "email=first@bench.example" \
  --data-urlencode "password=not the password" "$base/login")"
[ "$status" = 401 ] || { echo "a wrong password answered $status, not 401" >&2; exit 1; }

page_run() {
  bench_wrk "$base$page" -H "Cookie: $page_cookie"
  echo "  integration page ($1): $wrk_rps requests/s, p99 $wrk_p99, $wrk_errors errors${wrk_error_detail:+ ($wrk_error_detail)}" >&2
  echo "$wrk_p99"
}
# wrk prints 12.34ms, 1.20s or 850.00us.
in_ms() { awk -v t="$1" 'BEGIN { v = t + 0; if (t ~ /us$/) v /= 1000; else if (t ~ /[0-9]s$/) v *= 1000; printf "%.2f", v }'; }

duration_measured="$duration"; duration=2s
bench_wrk "$base$page" -H "Cookie: $page_cookie" # warm-up
duration="$duration_measured"
echo "Integration page, $endpoints endpoints, wrk -t2 -c$connections -d$duration; flood: wrk -t2 -c$flood_connections"
quiet_before="$(page_run "quiet")"
flood_seconds="$(( ${duration%s} + 4 ))"
FLOOD_COOKIE="$flood_cookie" FLOOD_TOKEN="$flood_token" \
  wrk -t2 -c"$flood_connections" -d"${flood_seconds}s" --timeout 30s -s bench/sign_in_flood.lua "$base/login" >"$work/flood.txt" &
flood_pid=$!
sleep 2
flooded="$(page_run "during the flood")"
wait "$flood_pid"
quiet_after="$(page_run "quiet again")"
attempts="$(awk '/requests in/ {print $1}' "$work/flood.txt")"
refused="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/flood.txt")"
echo "  the flood: $attempts sign-ins answered in ${flood_seconds}s ($refused of them refused, as wrong passwords should be)"
echo "  $(grep -E 'Latency' "$work/flood.txt" | sed 's/^ *//')"

quiet="$(awk -v a="$(in_ms "$quiet_before")" -v b="$(in_ms "$quiet_after")" 'BEGIN {printf "%.2f", (a + b) / 2}')"
flood="$(in_ms "$flooded")"
echo
echo "| integration page p99, quiet (mean of before and after) | during the flood | ratio | sign-ins answered during the flood |"
echo "|---|---|---|---|"
awk -v q="$quiet" -v f="$flood" -v n="$attempts" -v s="$flood_seconds" \
  'BEGIN {printf "| %.1f ms | %.1f ms | %.2f | %d in %d s |\n", q, f, f / q, n, s}'
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; HEAD $(git rev-parse --short HEAD); portal $portal built $(date -u -r "$portal" '+%Y-%m-%d %H:%M UTC')"

# Shared by the benchmarks: a release build against its own database (recreated each run), a
# signed-in browser session, the SQL statements one view runs, and wrk on loopback.
#
#   source bench/lib.sh; bench_setup; <seed with "$portal" ... --database-url "$database">;
#   bench_serve; bench_sign_in EMAIL; bench_page PATH LABEL
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

server="${BENCH_SERVER_URL:-postgres://postgres:postgres@127.0.0.1:5432}"
database="$server/partner_portal_bench"
port="${BENCH_PORT:-18080}"
duration="${BENCH_DURATION:-20s}"
connections="${BENCH_CONNECTIONS:-32}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
# BENCH_PORTAL names a release build made elsewhere (another CARGO_TARGET_DIR); else one is built.
portal="${BENCH_PORTAL:-./target/release/portal}"
trap 'kill "${portal_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

bench_setup() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  [ -n "${BENCH_PORTAL:-}" ] || cargo build --release --quiet --bin portal
  psql "$server/postgres" -q -c "DROP DATABASE IF EXISTS partner_portal_bench" >/dev/null
}

bench_serve() {
  RUST_LOG="warn,partner_portal=info,sqlx::query=debug" "$portal" serve --database-url "$database" --log-format json \
    --bind "127.0.0.1:$port" --public-url "$base" >"$work/portal.log" 2>&1 &
  portal_pid=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
}

# Sign in like a browser: the form's CSRF token, then the credentials.
bench_sign_in() {
  local token
  token="$(curl -fs -c "$work/jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | awk 'NR == 1' | sed 's/.*value="//; s/"$//')"
  curl -fs -b "$work/jar" -c "$work/jar" -o /dev/null \
    --data-urlencode "csrf_token=$token" --data-urlencode "email=$1" \
    --data-urlencode "password=seeded bench lantern 42" "$base/login"
  cookie="$(awk '$6 ~ /portal_session/ {print $6"="$7}' "$work/jar")"
}

# Counts one view's SQL statements, then loads the page with wrk and prints a summary line.
bench_page() {
  local page="$1" label="$2" status queries bytes id
  id="bench-count-$RANDOM"
  curl -fs -b "$work/jar" -o /dev/null "$base$page"   # warm-up
  status="$(curl -fs -b "$work/jar" -H "x-request-id: $id" -o "$work/page.html" -w '%{http_code}' "$base$page")"
  # A failed sign-in shows up as a 303 to /login, which curl -f lets through.
  [ "$status" = 200 ] || { echo "$page answered $status, not 200: did the sign-in fail?" >&2; exit 1; }
  sleep 0.5
  # Leave out sqlx's pg_catalog type lookups: it runs them once per new pool connection, not per view.
  queries="$(grep "\"$id\"" "$work/portal.log" | grep '"target":"sqlx::query"' | grep -vc 'pg_catalog' || true)"
  bytes="$(wc -c <"$work/page.html")"
  echo "$label: $bytes bytes of HTML, $queries SQL statements per view"
  wrk -t2 -c"$connections" -d"$duration" --latency -H "Cookie: $cookie" "$base$page" | tee "$work/wrk.txt"
  echo
  echo "summary ($label): $(grep 'Requests/sec' "$work/wrk.txt" | awk '{print $2}') requests/s," \
       "p99 $(grep ' 99%' "$work/wrk.txt" | awk '{print $2}'), $queries queries per page, $connections connections, $duration"
}

# --- Side by side with the reference page (bench/pages.sh) -------------------------------------

# Waits until a URL answers 2xx (up to 20 s); fails with a message if it never does.
bench_wait() {
  for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "$1 did not answer within 20 s" >&2
  return 1
}

# Starts the portal at its default logging (no RUST_LOG, text format), for measured runs;
# bench_serve's statement log (JSON, sqlx::query=debug) is only for counting statements.
bench_serve_default() {
  env -u RUST_LOG -u PORTAL_LOG_FORMAT "$portal" serve --database-url "$database" \
    --bind "127.0.0.1:$port" --public-url "$base" >"$work/portal-default.log" 2>&1 &
  portal_pid=$!
  bench_wait "$base/healthz"
}

# Stops the portal started by bench_serve or bench_serve_default (its own pid only).
bench_stop() {
  [ -n "${portal_pid:-}" ] || return 0
  kill "$portal_pid" 2>/dev/null || true
  wait "$portal_pid" 2>/dev/null || true
  portal_pid=""
}

# bench_count PATH [JAR]: the SQL statements one view runs, from the statement log of a portal
# started by bench_serve, by request id (sqlx's pg_catalog type lookups left out, as in
# bench_page). JAR is a curl cookie jar, "-" for an anonymous request; $work/jar by default.
# Fails unless the page answers 200. Leaves the page in $work/page.html.
bench_count() {
  local page="$1" jar="${2:-$work/jar}" id status
  local session=()
  [ "$jar" = - ] || session=(-b "$jar")
  id="bench-count-$RANDOM$RANDOM"
  # Two warm-up views: the first after a sign-in also saves the session (its idle timer).
  curl -s "${session[@]}" -o /dev/null "$base$page" || true
  curl -s "${session[@]}" -o /dev/null "$base$page" || true
  status="$(curl -s "${session[@]}" -H "x-request-id: $id" -o "$work/page.html" -w '%{http_code}' "$base$page" || true)"
  [ "$status" = 200 ] || { echo "$page answered ${status:-nothing}, not 200: did the sign-in fail?" >&2; return 1; }
  sleep 0.5
  grep "\"$id\"" "$work/portal.log" | grep '"target":"sqlx::query"' | grep -vc 'pg_catalog' || true
}

# bench_wrk URL [wrk arguments]: one wrk run with the shared settings. Sets wrk_rps, wrk_p99,
# wrk_errors (non-2xx/3xx responses plus socket errors, a number), wrk_error_detail (wrk's own
# lines, empty when none) and wrk_bytes (mean bytes read per response); keeps wrk's output in
# $work/wrk.txt.
bench_wrk() {
  local url="$1"; shift
  wrk -t2 -c"$connections" -d"$duration" --latency "$@" "$url" >"$work/wrk.txt"
  wrk_rps="$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")"
  wrk_p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
  wrk_error_detail="$(grep -E 'Non-2xx or 3xx responses|Socket errors' "$work/wrk.txt" | sed 's/^ *//' | paste -sd ';' - || true)"
  wrk_errors="$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
    /Socket errors:/ {for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0}
    END {print n + 0}' "$work/wrk.txt")"
  # "12345 requests in 10.00s, 1.02GB read"
  wrk_bytes="$(awk '/requests in .* read$/ {
      r = $1; s = $(NF - 1); u = s; sub(/[0-9.]+/, "", s); v = u; sub(/[A-Za-z]+$/, "", v)
      m = (s == "KB") ? 1024 : (s == "MB") ? 1048576 : (s == "GB") ? 1073741824 : 1
      if (r > 0) printf "%.0f", v * m / r }' "$work/wrk.txt")"
}

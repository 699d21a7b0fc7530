#!/usr/bin/env bash
# Benchmark: what staging checks add to a reviewer's pages. A submitted integration with 50
# endpoints; the review page and the staging overview are loaded by 32 connections, first with no
# checks, then with 20 stored checks per endpoint (1,000 reports), with SQL statements per view.
#
#   bench/staging_review.sh              # BENCH_DURATION=20s BENCH_ENDPOINTS=50 BENCH_CHECKS=20
source "$(dirname "$0")/lib.sh"
endpoints="${BENCH_ENDPOINTS:-50}"
checks="${BENCH_CHECKS:-20}"

bench_setup
seeded="$("$portal" seed --database-url "$database" --integrations 1 --endpoints "$endpoints")"
page="$(echo "$seeded" | grep -o '/integrations/[0-9a-f-]*' | awk 'NR == 1')"
id="${page#/integrations/}"
printf 'seeded bench lantern 42' | "$portal" user create --database-url "$database" --role reviewer \
  --email reviewer@seeded.example --name "Bench Reviewer" --password-stdin >/dev/null
bench_serve

# The partner submits, as the page's form does.
bench_sign_in bench@seeded.example
token="$(curl -fs -b "$work/jar" "$base$page" | grep -o 'name="csrf_token" value="[^"]*"' | awk 'NR == 1' | sed 's/.*value="//; s/"$//')"
curl -fs -b "$work/jar" -o /dev/null --data-urlencode "csrf_token=$token" "$base$page/submit"

bench_sign_in reviewer@seeded.example
bench_page "/review/$id" "review page, $endpoints endpoints, no staging checks"

# A realistic report: every line a check writes, as stored.
report='{"target":"POST https://apisit.example.com/pchflih/otp/v1/generateOTP","status":200,"first_byte_ms":212,"total_ms":215,"lines":[
 {"verdict":"pass","topic":"DNS","text":"Resolves to 203.0.113.10."},
 {"verdict":"pass","topic":"TLS","text":"TLS 1.3 handshake."},
 {"verdict":"pass","topic":"Certificate","text":"Valid, issued for this host, until 1 Mar 2027 (97 days left)."},
 {"verdict":"pass","topic":"HTTP status","text":"200, as documented."},
 {"verdict":"pass","topic":"Timing","text":"First byte after 0.21 s, complete after 0.22 s."},
 {"verdict":"pass","topic":"Content-Type","text":"application/json."},
 {"verdict":"pass","topic":"JSON","text":"The body parses as JSON (81 bytes)."},
 {"verdict":"fail","topic":"Shape","text":"Differs from the example in 2 places:","details":["$.data.otpRef: missing (the example has a string)","$.extra: not in the example (the response has a boolean)"]}]}'
psql "$database" -q -v report="$report" -v id="$id" -v checks="$checks" <<'SQL' >/dev/null
INSERT INTO staging_checks (id, integration_id, endpoint_id, scenario, revision, fingerprint, checked_at, verdict, target, report)
SELECT gen_random_uuid(), e.integration_id, e.id, '', 1, 'seeded', now() - make_interval(hours => n), 'fail',
       'POST https://apisit.example.com/pchflih/otp/v1/generateOTP', :'report'::jsonb
FROM endpoints e, generate_series(1, :checks) AS n WHERE e.integration_id = :'id';
VACUUM ANALYZE staging_checks;
SQL
bench_page "/review/$id" "review page, $endpoints endpoints, $checks checks each"
bench_page "/integrations/$id/staging" "staging overview, $endpoints endpoints, $checks checks each"

#!/usr/bin/env bash
# Benchmark: the integration page of an integration with 50 endpoints, under load from 32
# connections, plus the number of SQL statements one view of it runs.
#
#   bench/integration_page.sh            # BENCH_DURATION=20s BENCH_ENDPOINTS=50 BENCH_CONNECTIONS=32
source "$(dirname "$0")/lib.sh"
endpoints="${BENCH_ENDPOINTS:-50}"

bench_setup
# Global flags go after the subcommand: the CLI refuses them before one (args_conflicts_with_subcommands).
seeded="$("$portal" seed --database-url "$database" --integrations 1 --endpoints "$endpoints")"
page="$(echo "$seeded" | grep -o '/integrations/[0-9a-f-]*' | awk 'NR == 1')"
bench_serve
bench_sign_in bench@seeded.example
bench_page "$page" "integration page with $endpoints endpoints"

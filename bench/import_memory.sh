#!/usr/bin/env bash
# Peak memory (VmHWM) of one portal process while partners import large and hostile files
# through the import page, and how long SIGTERM takes while an import is running. Loopback only.
#
#   bench/import_memory.sh            # uses target/debug/portal (BENCH_PORTAL to override)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
server="${BENCH_SERVER_URL:-postgres://postgres:postgres@127.0.0.1:5432}"
portal="${BENCH_PORTAL:-./target/debug/portal}"
port="${BENCH_PORT:-18081}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
[ -x "$portal" ] || cargo build --quiet --bin portal

python3 - "$work" <<'PY'
import json, sys, os
w = sys.argv[1]
def save(name, text): open(os.path.join(w, name), "w").write(text)
props = {f"p{i}": {"$ref": "#/components/schemas/S"} for i in range(30)}
ref = {"$ref": "#/components/schemas/S"}
save("self-referring.json", json.dumps({"openapi": "3.0.3", "info": {"title": "B", "version": "1"},
    "paths": {"/s": {"post": {"summary": "Grow", "requestBody": {"content": {"application/json": {"schema": ref}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ref}}}}}}},
    "components": {"schemas": {"S": {"type": "object", "properties": props}}}}))
big = {"items": [{"id": i, "name": "x" * 40, "tags": ["a", "b", "c"]} for i in range(300)]}
op = lambda i: {"post": {"summary": f"Op {i}", "requestBody": {"content": {"application/json": {"example": big}}},
    "responses": {"200": {"description": "ok", "content": {"application/json": {"example": big}}}}}}
save("90-operations.json", json.dumps({"openapi": "3.0.3", "info": {"title": "Big", "version": "1"},
    "paths": {f"/op{i}": op(i) for i in range(90)}}))
head = ["openapi: 3.0.3", "info: {title: Y, version: '1'}", "paths: {}", "x:"]
line = lambda i: f"  k{i}: {{a: 1, b: [1, 2, 3], c: text}}"
save("yaml-490k-values.yaml", "\n".join(head + [line(i) for i in range(61_250)]) + "\n")
save("yaml-960k-values.yaml", "\n".join(head + [line(i) for i in range(120_000)]) + "\n")
numbers = lambda n: '{"openapi":"3.0.3","info":{"title":"N","version":"1"},"paths":{},"x":[' + ",".join(["1"] * n) + "]}"
save("json-990k-values.json", numbers(990_000))
save("json-2.4m-values.json", numbers(2_400_000))
save("nested-2m-deep.json", '{"openapi":"3.0.0","x":' + "[" * 2_000_000 + "]" * 2_000_000 + "}")
PY

psql "$server/postgres" -q -c "DROP DATABASE IF EXISTS partner_portal_memory" >/dev/null
"$portal" --database-url "$server/partner_portal_memory" serve --bind "127.0.0.1:$port" --demo >"$work/portal.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
peak() { awk '/VmHWM/ {printf "%d MB peak", $2 / 1024}' "/proc/$pid/status"; }
csrf() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
echo "started: $(peak)"
jar="$work/jar"
token=$(curl -s -c "$jar" -b "$jar" "$base/login" | csrf)
curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "email=priya@demo-payments.example" \
  --data-urlencode "password=demo partner kettle 42" --data-urlencode "csrf_token=$token" "$base/login"
id=$(curl -s -b "$jar" "$base/" | grep -o '/integrations/[0-9a-f-]\{36\}' | head -1 | cut -d/ -f3)
token=$(curl -s -b "$jar" "$base/integrations/$id/import" | csrf)
import() {
  curl -s -b "$jar" -o /dev/null -w "%{http_code} in %{time_total} s" -F "csrf_token=$token" \
    -F "action=preview" -F "text=<$work/$1" "$base/integrations/$id/import"
}
for file in self-referring.json 90-operations.json yaml-490k-values.yaml yaml-960k-values.yaml \
  json-990k-values.json json-2.4m-values.json nested-2m-deep.json; do
  echo "$file ($(stat -c %s "$work/$file") bytes): HTTP $(import "$file"); $(peak)"
done
import yaml-490k-values.yaml >/dev/null &
sleep 0.3
start=$(date +%s%N); kill -TERM "$pid"; wait "$pid" || true
echo "SIGTERM during an import: stopped after $(( ($(date +%s%N) - start) / 1000000 )) ms"

#!/usr/bin/env bash
# Fuzz the API from its own OpenAPI document with schemathesis (pip install -e '.[bench]'), on 127.0.0.1 only,
# bounded in examples and time. Not part of `make test`: run it by hand after changing a route.
#
#   bench/schemathesis.sh [MAX_EXAMPLES=20] [MAX_SECONDS=600]
#   FROM_STORE=path/to/store bench/schemathesis.sh …   # serve a copy of that build instead of building one
#
# The server is `kg serve` over a private build of the bundled data (writes enabled with a random token, so
# the write routes are exercised too, and nothing in data/ changes), with KG_QUERY_TIMEOUT=5. Reports (JUnit,
# NDJSON events) go to var/schemathesis/; the exit status is schemathesis's (non-zero when a check failed).
set -euo pipefail
cd "$(dirname "$0")/.."
max_examples=${1:-20}
max_seconds=${2:-600}
bin=.venv/bin
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
export KG_STORE="$work/store" KG_DATA_DIR="$work/data" KG_QUERY_TIMEOUT=5 KG_WORKERS=2
if [ -n "${FROM_STORE:-}" ]; then  # an existing build (e.g. while data/ is being edited and does not conform)
    "$bin/python" -c 'import sys, pathlib; from tests.conftest import copy_store
copy_store(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]))' "$FROM_STORE" "$work"
else
    cp -r data "$work/data"
    "$bin/kg" build
fi
KG_WRITE_TOKEN=$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
export KG_WRITE_TOKEN
port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/kg" serve --host 127.0.0.1 --port "$port" > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.5
done
mkdir -p var/schemathesis
status=0
timeout $((max_seconds + 60)) "$bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --checks all --max-examples "$max_examples" --max-time "$max_seconds" --request-timeout 20 \
    --header "Authorization: Bearer $KG_WRITE_TOKEN" --seed 10 --workers 1 \
    --report junit,ndjson --report-dir var/schemathesis || status=$?
"$bin/python" - "$(ls -t var/schemathesis/ndjson-*.ndjson | head -1)" <<'PY'
import collections, json, sys
statuses, errors = collections.Counter(), collections.Counter()
with open(sys.argv[1], encoding="utf-8") as events:
    for line in events:
        event = json.loads(line).get("ScenarioFinished")
        for step in ((event or {}).get("recorder") or {}).get("interactions", {}).values():
            if (response := step.get("response")) is not None:
                statuses[response["status_code"]] += 1
                if response["status_code"] >= 500:
                    errors[f"{response['status_code']} {step['request']['method']} {step['request']['uri']}"] += 1
print(f"{sum(statuses.values())} requests; by status: {dict(sorted(statuses.items()))}")
for request, count in errors.most_common(20):
    print(f"  {count} x {request}")
PY
echo "server log (5xx and errors):"
grep -E 'ERROR|Traceback|error' "$work/serve.log" | head -50 || true
exit "$status"

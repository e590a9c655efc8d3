#!/usr/bin/env bash
# A scripted walk through the ticket workflow with curl, against a running server (`make run`, i.e.
# `jiesu serve`, on $JIESU_PORT or 8000): create → dispatch → return → re-dispatch (review-return uphold) →
# accept → reply → follow-up → rates. Keys are made with `jiesu keys create`, which must see the same
# database as the server: run this from the repository root with the same JIESU_DATABASE_URL /
# JIESU_DATA_DIR as the server.
#
#   JIESU_PORT  the server's port, as for `jiesu serve` (default 8000); JIESU_HOST likewise (127.0.0.1)
#   JIESU_URL   server base URL, instead of JIESU_HOST and JIESU_PORT (e.g. http://10.0.0.5:8000)
#   JIESU_WAIT  seconds to wait for a server that is still starting (default 0: nothing listening
#               is an error at once)
#   JIESU_BIN   the jiesu command (default .venv/bin/jiesu)
#   PYTHON      a Python for reading JSON (default .venv/bin/python)
set -euo pipefail

HOST=${JIESU_HOST:-127.0.0.1}
case $HOST in
    0.0.0.0) HOST=127.0.0.1 ;;  # the server listens everywhere: ask it here
    ::) HOST='[::1]' ;;
    *:*) HOST="[$HOST]" ;;      # an IPv6 address
esac
BASE=${JIESU_URL:-http://$HOST:${JIESU_PORT:-8000}}
BASE=${BASE%/}
WAIT=${JIESU_WAIT:-0}
JIESU=${JIESU_BIN:-.venv/bin/jiesu}
PY=${PYTHON:-.venv/bin/python}
RUN=$(date +%s)-$$

step() { printf '\n== %s\n' "$*"; }

# call METHOD PATH KEY EXPECTED_STATUS [JSON_BODY] [EXTRA_HEADER] -> prints the response body
call() {
    local method=$1 path=$2 key=$3 expected=$4 body=${5:-} extra=${6:-}
    local args=(-sS -X "$method" "$BASE$path" -H "X-API-Key: $key" -o /tmp/jiesu-walk.$$ -w '%{http_code}')
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    [[ -n $extra ]] && args+=(-H "$extra")
    local status
    status=$(curl "${args[@]}")
    if [[ $status != "$expected" ]]; then
        echo "FAILED: $method $path -> HTTP $status (expected $expected)" >&2
        cat /tmp/jiesu-walk.$$ >&2
        echo >&2
        exit 1
    fi
    cat /tmp/jiesu-walk.$$
    rm -f /tmp/jiesu-walk.$$
}

# field JSON EXPRESSION: evaluate a Python expression on the parsed JSON `d`
field() { "$PY" -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

step "server at $BASE"
deadline=$((SECONDS + WAIT))
until HEALTH=$(curl -sS --max-time 5 "$BASE/health" 2>/tmp/jiesu-walk-curl.$$); do
    if ((SECONDS >= deadline)); then
        echo "FAILED: no jiesu server answers at $BASE ($(tr -d '\n' </tmp/jiesu-walk-curl.$$))." >&2
        echo "Start one first (\`make run\`, or \`jiesu serve\`) and give this script the same JIESU_PORT" \
            "(or JIESU_URL); JIESU_WAIT=30 waits for a server that is still loading its model." >&2
        rm -f /tmp/jiesu-walk-curl.$$
        exit 1
    fi
    sleep 1
done
rm -f /tmp/jiesu-walk-curl.$$
echo "$HEALTH"
[[ $HEALTH == *'"status":"ok"'* ]] || { echo "FAILED: $BASE/health is not a jiesu server's answer" >&2; exit 1; }

step "keys (jiesu keys create)"
OPERATOR=$("$JIESU" keys create --role operator --name "walkthrough operator")
REVIEWER=$("$JIESU" keys create --role reviewer --name "walkthrough reviewer")
AUDITOR=$("$JIESU" keys create --role auditor --name "walkthrough auditor")

step "create a ticket (Idempotency-Key walk-$RUN)"
BODY='{"text": "朝阳区望京街道望京西园三区暖气不热，室温只有15度，老人孩子都冻感冒了", "intake_channel": "phone", "caller_phone": "13812345678", "caller_name": "王五", "caller_district": "朝阳"}'
TICKET=$(call POST /v1/tickets "$OPERATOR" 201 "$BODY" "Idempotency-Key: walk-$RUN")
ID=$(field "$TICKET" 'd["id"]')
SUGGESTED=$(field "$TICKET" 'd["suggested_unit"]')
echo "ticket $ID: state $(field "$TICKET" 'd["state"]'), suggested unit $SUGGESTED, model $(field "$TICKET" 'd["model_id"]')"
[[ $SUGGESTED != None ]] || { echo "FAILED: no suggested unit" >&2; exit 1; }
AGAIN=$(call POST /v1/tickets "$OPERATOR" 200 "$BODY" "Idempotency-Key: walk-$RUN")
[[ $(field "$AGAIN" 'd["id"]') == "$ID" ]] || { echo "FAILED: the retry made a second ticket" >&2; exit 1; }
echo "retry with the same key: same ticket, HTTP 200"

step "dispatch to the suggested unit"
T=$(call POST "/v1/tickets/$ID/dispatch" "$OPERATOR" 200 '{"version": 1}')
echo "state $(field "$T" 'd["state"]'), lead $(field "$T" 'd["lead_unit"]'), deadline $(field "$T" 'd["deadline_at"]')"
FIRST_UNIT=$("$JIESU" keys create --role unit --unit "$SUGGESTED" --name "walkthrough first unit")

step "the unit returns it (派单异议)"
T=$(call POST "/v1/tickets/$ID/return" "$FIRST_UNIT" 200 '{"reason_code": "not_our_duty", "reason": "该小区为自管锅炉，不属于本单位供热范围"}')
echo "state $(field "$T" 'd["state"]')"

step "the reviewer upholds the return and re-dispatches"
NEXT_UNIT=朝阳区城市管理委员会
[[ $SUGGESTED == "$NEXT_UNIT" ]] && NEXT_UNIT=朝阳区望京街道办事处
T=$(call POST "/v1/tickets/$ID/review-return" "$REVIEWER" 200 "{\"decision\": \"uphold\", \"unit\": \"$NEXT_UNIT\", \"reason\": \"自管锅炉由城管委监管\"}")
echo "state $(field "$T" 'd["state"]'), lead $(field "$T" 'd["lead_unit"]'), round $(field "$T" 'd["dispatch_round"]')"
SECOND_UNIT=$("$JIESU" keys create --role unit --unit "$NEXT_UNIT" --name "walkthrough second unit")
call GET "/v1/tickets/$ID" "$FIRST_UNIT" 404 >/dev/null
echo "the first unit no longer sees it (404)"

step "accept and reply (办结)"
VERSION=$(field "$T" 'd["version"]')
T=$(call POST "/v1/tickets/$ID/accept" "$SECOND_UNIT" 200 "{\"version\": $VERSION}")
call POST "/v1/tickets/$ID/accept" "$SECOND_UNIT" 409 "{\"version\": $VERSION}" >/dev/null
echo "accepted; a second accept with the old version is refused (409)"
T=$(call POST "/v1/tickets/$ID/reply" "$SECOND_UNIT" 200 '{"result": "已督促锅炉房提高供水温度，室温恢复到20度"}')
echo "state $(field "$T" 'd["state"]')"

step "follow-up (回访)"
T=$(call POST "/v1/tickets/$ID/followup" "$OPERATOR" 200 '{"contacted": true, "resolved": true, "satisfaction": "满意"}')
echo "state $(field "$T" 'd["state"]'), closure $(field "$T" 'd["closure"]')"

step "the history, as an auditor sees it (caller masked)"
T=$(call GET "/v1/tickets/$ID" "$AUDITOR" 200)
echo "caller $(field "$T" 'd["caller_phone"]') $(field "$T" 'd["caller_name"]')"
field "$T" '"\n".join("  v%s %-14s %-17s -> %-17s %s %s" % (e["version"], e["action"], e["from_state"], e["to_state"], e["actor_role"], e["actor_unit"] or "") for e in d["events"])'

step "rates (响应率, 解决率, 满意率) for $NEXT_UNIT"
R=$(call GET "/v1/metrics/rates?unit=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$NEXT_UNIT")" "$AUDITOR" 200)
field "$R" '"\n".join("  %s %s..%s: valid %s, response %s, resolution %s, satisfaction %s, overall %s" % (r["unit"], r["period_start"], r["period_end"], r["valid"], r["response_rate"], r["resolution_rate"], r["satisfaction_rate"], r["overall"]) for r in d["rows"])'
echo "  weights $(field "$R" 'd["overall_weights"]')"

printf '\nwalkthrough OK\n'

#!/usr/bin/env bash
# schemathesis against a live kobo: every operation of the served OpenAPI
# document, with valid and invalid data (--mode all) and every check. Fails on
# any 5xx or any answer that does not match the document.
#
# Uses the kobo binary the last `cargo build` left (debug; KOBO_BIN overrides)
# and installs schemathesis from PyPI into target/schemathesis-venv, kept
# across runs. Settings that are not flags live in .ci/schemathesis.toml.
# SCHEMATHESIS_EXAMPLES (default 100) bounds the cases per operation;
# SCHEMATHESIS_SEED (default 1) makes a run repeatable.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV=target/schemathesis-venv
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$VERSION"; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

KOBO_BIN=${KOBO_BIN:-target/debug/kobo}
[ -x "$KOBO_BIN" ] || cargo build --quiet -p kobo

mkdir -p target/schemathesis
DATA=$(mktemp -d "$PWD/target/schemathesis/run.XXXXXX")
PID=
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

# A clean environment for kobo: the data folder, the listen address and the
# partner bank's secret (.ci/schemathesis_hooks.py signs provider calls with
# it). Rate limiting stays off (its default), so no answer is a 429.
export KOBO_PROVIDER_SECRET=schemathesis-provider-secret
env $(env | sed -n 's/^\(KOBO_[A-Z_]*\)=.*/-u \1/p') KOBO_PROVIDER_SECRET="$KOBO_PROVIDER_SECRET" \
    "$KOBO_BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA" \
    >"$DATA/serve.out" 2>"$DATA/serve.err" &
PID=$!
BASE=
for _ in $(seq 1 600); do
    BASE=$(sed -n 's/^kobo listening on //p' "$DATA/serve.out" 2>/dev/null || true)
    [ -n "$BASE" ] && break
    if ! kill -0 "$PID" 2>/dev/null; then
        cat "$DATA/serve.err" >&2
        exit 1
    fi
    sleep 0.1
done
[ -n "$BASE" ] || { echo "kobo serve did not start" >&2; exit 1; }
KOBO_TEST_KEY=$(grep -o 'PRV_DP_DEMO_[A-Za-z0-9]*' "$DATA/sandbox-keys.json" | head -n 1)
export KOBO_TEST_KEY

status=0
# Hypothesis's own files stay under target/ too.
export HYPOTHESIS_STORAGE_DIRECTORY="$PWD/target/schemathesis/hypothesis"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=.ci SCHEMATHESIS_HOOKS=schemathesis_hooks \
    "$VENV/bin/schemathesis" --config-file .ci/schemathesis.toml run "$BASE/api/v1/openapi.json" \
    --checks all \
    --mode all \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --workers 2 \
    --generation-database none \
    --report junit --report-junit-path target/schemathesis/junit.xml \
    || status=$?
if [ "$status" -ne 0 ]; then
    echo "== kobo's warnings and errors (last 40)" >&2
    grep -aE 'WARN|ERROR|panicked' "$DATA/serve.err" | tail -n 40 >&2 || true
fi
exit "$status"

#!/usr/bin/env bash
# Runs every test project of the solution against the local PostgreSQL and RabbitMQ, prints each project's
# outcome and duration, and ends with one line: "N passed, N failed, N skipped". Exit code 1 on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/.run/test-results
rm -rf "$OUT" && mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Fixtures read these first; Testcontainers is only used where a Docker engine answers.
export COORDINATION_TEST_POSTGRES=${COORDINATION_TEST_POSTGRES:-"Host=127.0.0.1;Port=5432;Username=coordination;Password=coordination"}
export COORDINATION_TEST_RABBITMQ=${COORDINATION_TEST_RABBITMQ:-"amqp://coordination:coordination@127.0.0.1:5672"}
export COORDINATION_TEST_RABBITMQ_MANAGEMENT=${COORDINATION_TEST_RABBITMQ_MANAGEMENT:-"http://coordination:coordination@127.0.0.1:15672"}

start=$SECONDS
# The OpenAPI linter (Redocly) the Platform tests run on the five documents.
if ! command -v npm >/dev/null 2>&1; then
  echo "[test] installing Node.js and npm for the OpenAPI linter" >&2
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  # A fresh machine may have no package lists yet (ensure-infra.sh only updates them when it installs something).
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
fi
if [ ! -x "$ROOT/tests/OpenApiLint/node_modules/.bin/redocly" ]; then
  (cd "$ROOT/tests/OpenApiLint" && npm ci --no-audit --no-fund --loglevel=error) || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi
dotnet build "$ROOT/Coordination.sln" -c Release -nologo -clp:ErrorsOnly -v:q || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet test "$ROOT/Coordination.sln" -c Release --no-build --nologo \
  --logger "trx" --results-directory "$OUT" "$@" 2>&1 | tee "$OUT/console.log" | grep -vE '^\s*$'
status=${PIPESTATUS[0]}

python3 - "$OUT" "$status" "$((SECONDS - start))" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
out, status, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
rows = []
for trx in sorted(glob.glob(f"{out}/*.trx")):
    root = ET.parse(trx).getroot()
    c = root.find("t:ResultSummary/t:Counters", ns)
    times = root.find("t:Times", ns)
    p, f = int(c.get("passed")), int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout")) + int(c.get("aborted"))
    s = int(c.get("notExecuted")) + int(c.get("inconclusive"))
    method = root.find("t:TestDefinitions/t:UnitTest/t:TestMethod", ns)
    project = method.get("codeBase").split("/")[-1].replace(".dll", "") if method is not None else trx
    from datetime import datetime
    def parse(v): return datetime.fromisoformat(v[:26] + v[-6:] if len(v) > 32 else v)
    try:
        dur = (parse(times.get("finish")) - parse(times.get("start"))).total_seconds()
    except Exception:
        dur = float("nan")
    if p + f + s == 0:
        continue  # a test project with no test yet
    rows.append((project, p, f, s, dur))
    passed, failed, skipped = passed + p, failed + f, skipped + s
print()
print(f"{'test project':40} {'passed':>7} {'failed':>7} {'skipped':>8} {'seconds':>8}")
for r in rows:
    print(f"{r[0]:40} {r[1]:7} {r[2]:7} {r[3]:8} {r[4]:8.1f}")
print(f"total wall time {seconds} s")
if status != 0 and failed == 0:
    failed = 1  # the run itself failed (a crashed test host, a build error): never report green
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY

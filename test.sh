#!/usr/bin/env bash
# Runs every test in the solution. Tests that need PostgreSQL start their own throwaway server
# unless TRADINGKIT_TEST_POSTGRES holds a connection string.
set -euo pipefail
cd "$(dirname "$0")"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test TradingKit.sln -c Release --logger "console;verbosity=minimal" "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test assembly: "N passed, N failed".
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"

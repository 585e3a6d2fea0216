#!/usr/bin/env bash
# Runs every test in the solution. Tests that need PostgreSQL start their own throwaway server
# unless TRADINGKIT_TEST_POSTGRES holds a connection string.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test TradingKit.sln -c Release --logger "console;verbosity=minimal" "$@"

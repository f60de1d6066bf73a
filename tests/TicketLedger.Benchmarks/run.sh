#!/usr/bin/env bash
# The whole benchmark in one run: builds the service (Release, Wolverine code pre-generated from the current source in
# a throwaway copy, so the repository is never touched), builds this program, and runs every stage against one
# throwaway PostgreSQL cluster. Usage: tests/TicketLedger.Benchmarks/run.sh [--quick] [--events N] [--seconds S]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d /tmp/ticketledger-bench-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== building the benchmark program"
dotnet build "$here/TicketLedger.Benchmarks.csproj" -c Release -v quiet -nologo > "$work/bench-build.log" 2>&1 \
  || { grep -E " error " "$work/bench-build.log" | sort -u; exit 1; }
bench="$here/bin/Release/net10.0/TicketLedger.Benchmarks.dll"

echo "== building the service in $work/app (Release, code generated ahead of time, published ReadyToRun)"
mkdir -p "$work/app/src"
cp "$root"/Directory.*.props "$work/app/"
for f in global.json NuGet.config nuget.config; do [ -f "$root/$f" ] && cp "$root/$f" "$work/app/"; done
cp -r "$root/src/TicketLedger" "$root/src/TicketLedger.Transparency" "$work/app/src/"
rm -rf "$work/app/src/TicketLedger/bin" "$work/app/src/TicketLedger/obj" "$work/app/src/TicketLedger.Transparency/bin" "$work/app/src/TicketLedger.Transparency/obj"
environment=Production
# `codegen write` only builds the host, it never connects: an unreachable connection string keeps it from starting
# the embedded cluster.
if ! (cd "$work/app/src/TicketLedger" && ASPNETCORE_ENVIRONMENT=Development \
      ConnectionStrings__Marten="Host=127.0.0.1;Port=9;Database=none;Username=none;Password=none" \
      dotnet run -c Release -- codegen write > "$work/codegen.log" 2>&1); then
  echo "!! codegen write failed (see below); the service runs in Development mode (runtime code generation) instead"
  tail -20 "$work/codegen.log"
  environment=Development
fi
# Published as it is deployed (see src/TicketLedger/Dockerfile): ReadyToRun, so start-up runs precompiled code instead
# of JIT-compiling Marten, Wolverine and ASP.NET Core (CPU to first served request 3.4 s → 1.9 s here).
dotnet publish "$work/app/src/TicketLedger" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$work/publish" -v quiet -nologo > "$work/service-build.log" 2>&1 \
  || { grep -E " error " "$work/service-build.log" | sort -u; exit 1; }
service="$work/publish/TicketLedger.dll"

echo "== running (service environment: $environment)"
BENCH_SERVICE_ENVIRONMENT=$environment dotnet "$bench" run --service "$service" --out "$here/results" "$@"

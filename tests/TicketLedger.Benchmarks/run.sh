#!/usr/bin/env bash
# The whole benchmark in one run: builds the service (Release, Wolverine code pre-generated from the current source in
# a throwaway copy, so the repository is never touched), builds this program, and runs every stage against one
# throwaway PostgreSQL cluster. Usage: tests/TicketLedger.Benchmarks/run.sh [--quick] [--events N] [--seconds S]
# `--compare <git revision>` also builds the service at that revision (as "A"; the working tree is "B") and runs the
# builds stage: both against vanilla in alternating rounds, so a change's before and after come from one run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d /tmp/ticketledger-bench-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

compare=""
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--compare" ]; then compare="$2"; shift 2; else args+=("$1"); shift; fi
done

echo "== building the benchmark program"
dotnet build "$here/TicketLedger.Benchmarks.csproj" -c Release -v quiet -nologo > "$work/bench-build.log" 2>&1 \
  || { grep -E " error " "$work/bench-build.log" | sort -u; exit 1; }
bench="$here/bin/Release/net10.0/TicketLedger.Benchmarks.dll"

environment=Production
# build_service <source root> <folder>: the service of that source tree, published into <folder>/publish.
build_service() {
  local source="$1" out="$2"
  echo "== building the service of $source in $out (Release, code generated ahead of time, published ReadyToRun)"
  mkdir -p "$out/app/src"
  cp "$source"/Directory.*.props "$out/app/"
  for f in global.json NuGet.config nuget.config; do [ -f "$source/$f" ] && cp "$source/$f" "$out/app/"; done
  cp -r "$source/src/TicketLedger" "$source/src/TicketLedger.Transparency" "$out/app/src/"
  rm -rf "$out/app/src/TicketLedger/bin" "$out/app/src/TicketLedger/obj" "$out/app/src/TicketLedger.Transparency/bin" "$out/app/src/TicketLedger.Transparency/obj"
  # `codegen write` only builds the host, it never connects: an unreachable connection string keeps it from starting
  # the embedded cluster.
  if ! (cd "$out/app/src/TicketLedger" && ASPNETCORE_ENVIRONMENT=Development \
        ConnectionStrings__Marten="Host=127.0.0.1;Port=9;Database=none;Username=none;Password=none" \
        dotnet run -c Release -- codegen write > "$out/codegen.log" 2>&1); then
    echo "!! codegen write failed (see below); the service runs in Development mode (runtime code generation) instead"
    tail -20 "$out/codegen.log"
    environment=Development
  fi
  # Published as it is deployed (see src/TicketLedger/Dockerfile): ReadyToRun, so start-up runs precompiled code instead
  # of JIT-compiling Marten, Wolverine and ASP.NET Core (CPU to first served request 3.4 s → 1.9 s here).
  dotnet publish "$out/app/src/TicketLedger" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$out/publish" -v quiet -nologo > "$out/service-build.log" 2>&1 \
    || { grep -E " error " "$out/service-build.log" | sort -u; exit 1; }
}

# B's label names the tree it was built from, not the one found after A's build (the tree may change meanwhile).
label_b="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src || echo '+changes')"
build_service "$root" "$work/b"
service="$work/b/publish/TicketLedger.dll"
if [ -n "$compare" ]; then
  mkdir -p "$work/a/source"
  git -C "$root" archive "$compare" | tar -x -C "$work/a/source"
  build_service "$work/a/source" "$work/a"
  args=(--stages builds --service-b "$service" --label-a "$(git -C "$root" rev-parse --short "$compare")" --label-b "$label_b" "${args[@]}")
  service="$work/a/publish/TicketLedger.dll"
fi

echo "== running (service environment: $environment)"
BENCH_SERVICE_ENVIRONMENT=$environment dotnet "$bench" run --service "$service" --out "$here/results" "${args[@]}"

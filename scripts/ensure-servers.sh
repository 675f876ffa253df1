#!/usr/bin/env bash
# Makes sure every server build of the test matrix runs here: each ../shared/servers/*/bin whose
# server does not start on this machine (another libc or libssl) is rebuilt from the tarballs beside
# it by ../shared/servers/build.sh into ~/.cache/cluster-doctor-servers, where the tests look next.
# Without ../shared there is nothing to do: the tests run on Debian's redis-server alone.
set -euo pipefail
shared=$(cd "$(dirname "$0")/../.." && pwd)/shared/servers
[[ -d $shared ]] || exit 0
cache=${XDG_CACHE_HOME:-$HOME/.cache}/cluster-doctor-servers
broken=0
# True when some *-server in folder $1 runs here (Valkey's redis-* names may be plain files, not links).
runs() {
  local s
  for s in "$1"/*-server; do
    [[ -x $s ]] && "$s" --version >/dev/null 2>&1 && return 0
  done
  return 1
}
for bin in "$shared"/*/bin; do
  name=$(basename "$(dirname "$bin")")
  runs "$bin" && continue
  runs "$cache/$name/bin" && continue
  echo "$bin holds no server that runs here: rebuilding the matrix servers" >&2
  broken=1
done
[[ $broken -eq 1 ]] || exit 0
[[ -x $shared/build.sh ]] || { echo "no $shared/build.sh: those servers are skipped" >&2; exit 0; }
if [[ $(id -u) -eq 0 ]] && ! { command -v make >/dev/null && dpkg -s libssl-dev >/dev/null 2>&1; }; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential pkg-config libssl-dev >/dev/null
fi
bash "$shared/build.sh" >&2 || echo "could not rebuild the matrix servers: those are skipped" >&2

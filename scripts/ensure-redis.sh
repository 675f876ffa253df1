#!/usr/bin/env bash
# Makes sure redis-server and redis-cli (Debian's redis-server and redis-tools) are installed.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "redis-server/redis-cli are missing. Install them first:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y redis-server redis-tools" >&2
  exit 1
fi
echo "Installing redis-server and redis-tools from Debian's packages..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq redis-server redis-tools >/dev/null
# The package may start a system instance on 6379; the project never uses it, and stops it only if
# it started just now is not knowable, so it is left alone.

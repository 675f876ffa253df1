#!/usr/bin/env bash
# Makes sure a Python with moto's server (the AWS emulator the service tests run the Lambda bundles
# against) and cfn-lint (which the suite runs on the synthesized templates) is here. The machine's own
# python3 is used when it has both; otherwise a virtual environment under the project's cache gets the
# pinned versions below (Debian's python3-venv with apt when missing). Prints nothing when all is there.
set -euo pipefail
MOTO_VERSION=5.2.1
CFN_LINT_VERSION=1.51.0
venv=${XDG_CACHE_HOME:-$HOME/.cache}/cluster-doctor-aws
has() { "$1" -c 'import moto.server, flask, flask_cors, cfnlint' >/dev/null 2>&1; }
if command -v python3 >/dev/null 2>&1 && has python3; then exit 0; fi
if [[ -x $venv/bin/python ]] && has "$venv/bin/python"; then exit 0; fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "python3 with venv is missing: sudo apt-get install -y python3 python3-venv" >&2
    exit 1
  fi
  echo "Installing python3-venv from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3 python3-venv >/dev/null
fi
echo "Installing moto[server]==$MOTO_VERSION and cfn-lint==$CFN_LINT_VERSION into $venv..." >&2
python3 -m venv "$venv"
"$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"

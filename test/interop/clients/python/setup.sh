#!/usr/bin/env bash
# Creates this client's venv, .venv, with requirements.txt and generates the switchboard.v1
# Python code into gen/, as examples/python/setup.sh does but into this folder, so that the
# matrix never races the Python example's own setup. Safe to run again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
python="$here/.venv/bin/python"

python3 -m venv "$here/.venv"
"$python" -m pip install --quiet --requirement "$here/requirements.txt"

# grpc_tools bundles the well-known types (google/protobuf/timestamp.proto, …) next to its protoc.
well_known="$("$python" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')"
rm -rf "$here/gen"
mkdir -p "$here/gen"
cd "$root"
"$python" -m grpc_tools.protoc -I proto -I "$well_known" \
  --python_out="$here/gen" --grpc_python_out="$here/gen" proto/switchboard/v1/*.proto

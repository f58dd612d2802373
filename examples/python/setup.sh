#!/usr/bin/env bash
# Creates examples/python/.venv with the pinned packages of requirements.txt and generates the
# switchboard.v1 Python code into examples/python/gen/. Safe to run again; nothing is installed
# outside this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$here/.venv/bin/python"

python3 -m venv "$here/.venv"
"$python" -m pip install --quiet --requirement "$here/requirements.txt"

# grpc_tools bundles the well-known types (google/protobuf/timestamp.proto, …) next to its protoc.
well_known="$("$python" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')"

# Regenerate from scratch so that a removed .proto leaves no stale module behind.
rm -rf "$here/gen"
mkdir -p "$here/gen"
cd "$root"
"$python" -m grpc_tools.protoc -I proto -I "$well_known" \
  --python_out="$here/gen" --pyi_out="$here/gen" --grpc_python_out="$here/gen" \
  proto/switchboard/v1/*.proto
echo "generated $(find "$here/gen" -name '*.py' | wc -l) modules into $here/gen"

#!/usr/bin/env bash
# Installs connectconformance, the runner of the Connect conformance suite, into .tools/go-bin
# (project-local, git-ignored) and prints its path. test/conformance/conformance.test.ts runs it
# against the gateway's server stack. Built from the Go module proxy (needs Go; /usr/local/go/bin
# is tried when `go` is not on PATH); the suite's protos in test/conformance/proto are copied from
# the same module version. Idempotent: an installed runner of the pinned version is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
# Pinned; bump on purpose, together with the protos vendored from it in test/conformance/proto.
version=v1.0.7
target=.tools/go-bin
bin="$target/connectconformance"

if [ -x "$bin" ] && [ "$("$bin" --version 2>&1)" = "connectconformance $version" ]; then
  realpath "$bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then PATH="/usr/local/go/bin:$PATH"; fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-conformance.sh: Go is needed to build connectconformance $version" >&2
  exit 1
fi
mkdir -p "$target"
GOBIN="$(realpath "$target")" go install "connectrpc.com/conformance/cmd/connectconformance@$version" >&2
"$bin" --version >&2
realpath "$bin"

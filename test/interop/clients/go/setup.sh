#!/usr/bin/env bash
# Installs the Go protobuf plugins into .bin/, generates the switchboard.v1 Go code into gen/ and
# builds the client to the path given as $1. Needs Go and the repository's node_modules (buf).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
binary="$1"

# The versions examples/go/setup.sh pins; keep them in step with go.mod.
GOBIN="$here/.bin" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
GOBIN="$here/.bin" go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2

rm -rf "$here/gen"
cd "$root"
npx buf generate --template test/interop/clients/go/buf.gen.yaml --path proto/switchboard
cd "$here"
go build -o "$binary" .

#!/usr/bin/env bash
# Installs the two Go protobuf plugins into examples/go/.bin/ (nothing system-wide) and generates
# the switchboard.v1 Go code into examples/go/gen/. Needs Go and the repository's node_modules
# (for buf). Safe to run again.
set -euo pipefail

example_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$example_dir/../.." && pwd)"

# Pinned plugin versions; keep them in step with google.golang.org/protobuf and grpc in go.mod.
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

GOBIN="$example_dir/.bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
GOBIN="$example_dir/.bin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"

# Start from an empty gen/ so that a removed .proto leaves no stale Go file behind.
rm -rf "$example_dir/gen"
cd "$repo_root"
npx buf generate --template examples/go/buf.gen.yaml --path proto/switchboard

# Fetch the module's dependencies now, so that `go run .` needs no network.
cd "$example_dir"
go mod download

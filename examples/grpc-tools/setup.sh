#!/usr/bin/env bash
# Installs grpcurl and grpc-health-probe into <repo>/.tools/go-bin/ (git-ignored, nothing
# system-wide) from the Go module proxy. Needs Go. Safe to run again: quick from the Go caches.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export GOBIN="$repo_root/.tools/go-bin"

# Pinned versions; bump them on purpose, not by accident.
GRPCURL_VERSION=v1.9.3
GRPC_HEALTH_PROBE_VERSION=v0.4.61

go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
go install "github.com/grpc-ecosystem/grpc-health-probe@$GRPC_HEALTH_PROBE_VERSION"

echo "installed into $GOBIN:"
"$GOBIN/grpcurl" -version 2>&1
"$GOBIN/grpc-health-probe" -version 2>&1

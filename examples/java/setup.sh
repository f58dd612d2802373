#!/usr/bin/env bash
# Generates the switchboard.v1 Java code from ../../proto into target/ and builds the runnable jar
# target/switchboard-example.jar. Needs Java 17+ and Maven 3.8+; the first run downloads protoc,
# protoc-gen-grpc-java and the libraries from Maven Central into ~/.m2. Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
mvn -q -B package -DskipTests
echo "built $(pwd)/target/switchboard-example.jar"

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import { bundleWebClient, installChromium, runBrowserCases } from "./browser-cases.js";
import {
  type ChildClient,
  goClient,
  javaClient,
  pythonClient,
  runChildClient,
} from "./child-clients.js";
import { runConnectCases } from "./clients/connect/connect-cases.js";
import { runCurlCases } from "./curl-cases.js";
import { runGrpcJsCases } from "./grpc-js-cases.js";
import { runGrpcurlCases, runHealthProbeCases } from "./grpc-tools-cases.js";
import { CASES, type CaseName, type CaseResult, PROMPT } from "./interop-cases.js";
import { type InteropGateway, startInteropGateway } from "./interop-gateway.js";
import { failuresOf, type MatrixRow, renderDetails, renderMatrix } from "./interop-table.js";

const run = promisify(execFile);
const artifactsDir = new URL("../../test-artifacts/", import.meta.url).pathname;
const expectedAnswer = demoAnswer(PROMPT);

/** A row of the matrix: how to prepare the client and run its cases against the gateway. */
interface MatrixClient {
  readonly name: string;
  /** The cases the client runs, in the order it reports them. */
  readonly cases: readonly CaseName[];
  /** Installs or builds what the client needs; a missing toolchain rejects. */
  setup(): Promise<void>;
  run(gateway: InteropGateway): Promise<CaseResult[]>;
}

function childClient(client: ChildClient): MatrixClient {
  return {
    name: client.name,
    cases: CASES,
    setup: () => client.setup(),
    run: (gateway) => runChildClient(client, gateway.address),
  };
}

describe("the interop matrix (client × feature against one gateway)", () => {
  const buildDir = mkdtempSync(join(tmpdir(), "switchboard-interop-"));
  let chromiumPath = "";
  let webScript = "";
  const clients: readonly MatrixClient[] = [
    childClient(goClient(join(buildDir, "go-client"))),
    childClient(javaClient()),
    childClient(pythonClient()),
    {
      name: "@grpc/grpc-js",
      cases: CASES,
      setup: async () => {},
      run: (gateway) => runGrpcJsCases(gateway.address),
    },
    {
      name: "connect-node",
      cases: CASES,
      setup: async () => {},
      run: (gateway) =>
        runConnectCases(createConnectTransport({ baseUrl: gateway.gateway.url, httpVersion: "2" })),
    },
    {
      name: "connect-web (Chromium)",
      cases: CASES,
      async setup() {
        [chromiumPath, webScript] = await Promise.all([installChromium(), bundleWebClient()]);
      },
      run: (gateway) =>
        runBrowserCases({
          executablePath: chromiumPath,
          script: webScript,
          baseUrl: gateway.gateway.url,
        }),
    },
    {
      name: "curl (Connect JSON)",
      cases: CASES,
      setup: async () => {},
      run: (gateway) => runCurlCases(gateway.gateway.url),
    },
    {
      name: "grpcurl (reflection)",
      cases: ["reflection", ...CASES],
      setup: installGrpcTools,
      run: (gateway) => runGrpcurlCases(gateway.address),
    },
    {
      name: "grpc-health-probe",
      cases: ["health"],
      setup: installGrpcTools,
      run: (gateway) => runHealthProbeCases(gateway.address),
    },
  ];
  /** Why a client's setup failed, reported by that client's test (the other rows still run). */
  const setupErrors = new Map<string, unknown>();
  const rows = new Map<string, MatrixRow>();
  let gateway: InteropGateway;

  // Builds every client at once (Maven, Go, pip, Chromium): slow on cold caches only.
  beforeAll(async () => {
    const setups = await Promise.allSettled(clients.map((client) => client.setup()));
    setups.forEach((setup, index) => {
      const client = clients[index];
      if (setup.status === "rejected" && client !== undefined)
        setupErrors.set(client.name, setup.reason);
    });
    gateway = await startInteropGateway();
  }, 900_000);
  afterAll(async () => {
    await gateway?.close();
    rmSync(buildDir, { recursive: true, force: true });
  });

  for (const client of clients) {
    it(`${client.name} passes every case it runs`, async () => {
      if (setupErrors.has(client.name)) throw setupErrors.get(client.name);
      const results = await client.run(gateway);
      rows.set(client.name, { client: client.name, results });
      expect(
        results.map((result) => result.case),
        `${client.name} reported cases`,
      ).toEqual(client.cases);
      const failures = failuresOf(
        [rows.get(client.name) ?? { client: client.name, results }],
        expectedAnswer,
      );
      expect(
        failures.map((failure) => `${failure.client} × ${failure.case}: ${failure.detail}`),
      ).toEqual([]);
    }, 60_000);
  }

  it("prints the matrix, and every applicable cell passed", () => {
    const ordered = clients.map(
      (client) => rows.get(client.name) ?? { client: `${client.name} (did not run)`, results: [] },
    );
    const table = renderMatrix(ordered, expectedAnswer);
    console.log(`\n${table}\n`);
    mkdirSync(artifactsDir, { recursive: true });
    writeFileSync(
      join(artifactsDir, "interop-matrix.md"),
      `# Interop matrix\n\n${table}\n\n## What each client saw\n\n${renderDetails(ordered)}\n`,
    );
    expect([...rows.keys()]).toEqual(clients.map((client) => client.name));
    expect(failuresOf([...rows.values()], expectedAnswer)).toEqual([]);
  });
});

/** Installs grpcurl and grpc-health-probe into .tools/go-bin (examples/grpc-tools/setup.sh). */
let grpcTools: Promise<void> | undefined;
function installGrpcTools(): Promise<void> {
  grpcTools ??= run("bash", [join("examples", "grpc-tools", "setup.sh")], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  }).then(() => undefined);
  return grpcTools;
}

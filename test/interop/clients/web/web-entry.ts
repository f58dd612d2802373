/**
 * The connect-web row's browser bundle (built by test/interop/browser-cases.ts with esbuild):
 * exposes `runInteropCases(baseUrl)`, which runs the matrix with connect-web's fetch transport.
 */
import { createConnectTransport } from "@connectrpc/connect-web";
import type { CaseResult } from "../../interop-cases.js";
import { runConnectCases } from "../connect/connect-cases.js";

/** What the bundle adds to the page's global scope. */
export interface InteropGlobal {
  runInteropCases(baseUrl: string): Promise<CaseResult[]>;
}

const scope = globalThis as unknown as InteropGlobal;
scope.runInteropCases = (baseUrl) => runConnectCases(createConnectTransport({ baseUrl }));

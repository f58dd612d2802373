import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { InteropGlobal } from "./clients/web/web-entry.js";
import type { CaseResult } from "./interop-cases.js";

const run = promisify(execFile);
const installScript = new URL("../../scripts/install-chromium.sh", import.meta.url).pathname;
const entry = new URL("./clients/web/web-entry.ts", import.meta.url).pathname;

/** Bundles the connect-web client for the browser; returns the script's text. */
export async function bundleWebClient(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    logLevel: "warning",
    write: false,
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error("esbuild wrote no bundle");
  return script;
}

/** Installs Chromium when missing (scripts/install-chromium.sh); returns its executable. */
export async function installChromium(): Promise<string> {
  const { stdout } = await run(installScript, { timeout: 300_000 });
  return stdout.trim();
}

/**
 * Runs every case with @connectrpc/connect-web in headless Chromium. The page is an empty
 * document served (by Playwright, not the gateway) at the gateway's origin, so that the
 * client's fetch calls are same-origin, as from a page the gateway's host serves.
 */
export async function runBrowserCases(options: {
  readonly executablePath: string;
  readonly script: string;
  readonly baseUrl: string;
}): Promise<CaseResult[]> {
  const browser = await chromium.launch({
    executablePath: options.executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
  try {
    const page = await browser.newPage();
    const pageUrl = `${options.baseUrl}/interop-matrix.html`;
    await page.route(pageUrl, (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>interop</title>" }),
    );
    await page.goto(pageUrl);
    await page.addScriptTag({ content: options.script });
    return await page.evaluate(
      (baseUrl) => (globalThis as unknown as InteropGlobal).runInteropCases(baseUrl),
      options.baseUrl,
    );
  } finally {
    await browser.close();
  }
}

/**
 * Bundles the browser playground (playground/src/playground-page.ts and the TypeScript client it
 * uses) into one ES module, playground/dist/playground.js, which the gateway serves at
 * /playground/playground.js. Run after changing playground/src or client/src:
 *
 *   node scripts/build-playground.mjs           # writes the bundle
 *   node scripts/build-playground.mjs --check   # exits 1 when the committed bundle is stale
 *
 * test/browser/playground-bundle.test.ts runs the check.
 */
import { readFile, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const entry = new URL("../playground/src/playground-page.ts", import.meta.url).pathname;
const target = new URL("../playground/dist/playground.js", import.meta.url).pathname;

const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
  write: false,
});
const bundle = result.outputFiles[0]?.text ?? "";

if (process.argv.includes("--check")) {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== bundle) {
    process.stderr.write(`${target} is stale: run node scripts/build-playground.mjs\n`);
    process.exit(1);
  }
  process.stdout.write(`${target} is up to date\n`);
} else {
  await writeFile(target, bundle);
  process.stdout.write(`wrote ${target}\n`);
}

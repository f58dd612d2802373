import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A file of the playground, held in memory. */
export interface PlaygroundAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The playground's files by URL path: `/playground` (the page) and its script. */
export type PlaygroundAssets = ReadonlyMap<string, PlaygroundAsset>;

/** Where the page loads its script from; `playground/index.html` names the same path. */
export const PLAYGROUND_SCRIPT_PATH = "/playground/playground.js";

/**
 * Reads the playground into memory from `dir` (default: `playground/` of the package, found from
 * this file whether it runs from `src/` or the compiled `dist/src/`): `index.html`, served at
 * `/playground` and `/playground/`, and the bundle `dist/playground.js` that
 * `scripts/build-playground.mjs` writes. Returns `undefined` when either file is missing.
 */
export function loadPlaygroundAssets(dir = defaultPlaygroundDir()): PlaygroundAssets | undefined {
  const pagePath = join(dir, "index.html");
  const scriptPath = join(dir, "dist", "playground.js");
  if (!existsSync(pagePath) || !existsSync(scriptPath)) return undefined;
  const page = { contentType: "text/html; charset=utf-8", body: readFileSync(pagePath) };
  const script = {
    contentType: "text/javascript; charset=utf-8",
    body: readFileSync(scriptPath),
  };
  return new Map([
    ["/playground", page],
    ["/playground/", page],
    [PLAYGROUND_SCRIPT_PATH, script],
  ]);
}

/** `playground/` next to the nearest `package.json` above this file. */
function defaultPlaygroundDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, "playground");
}

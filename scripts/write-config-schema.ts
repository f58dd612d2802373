/**
 * Writes config.schema.json (the JSON Schema of the configuration file) from the zod schema.
 * Run after changing src/config/*-schema.ts:
 *
 *   node --import tsx scripts/write-config-schema.ts
 *
 * test/config/config-json-schema.test.ts fails when the committed file is stale.
 */
import { writeFile } from "node:fs/promises";
import { renderConfigJsonSchema } from "../src/config/config-json-schema.js";

const target = new URL("../config.schema.json", import.meta.url);
await writeFile(target, renderConfigJsonSchema());
process.stdout.write(`wrote ${target.pathname}\n`);

/**
 * The cost of `SecretRegistry.redact` on a typical log line (about 400 bytes, no secret in it),
 * which the root logger pays for every line it writes, for 0, 20 and 1,000 secrets.
 * Prints nanoseconds per line, asserts none.
 *
 *   node --import tsx bench/redact-secrets.ts
 */
import { createSecretRegistry } from "../src/secrets/secret-registry.js";

const line = JSON.stringify({
  level: "info",
  time: new Date().toISOString(),
  service: "switchboard",
  reqId: "81a64fc0-f03a-4f6e-b450-d0da5a225a7d",
  rpc: "switchboard.v1.PromptService/Prompt",
  code: "ok",
  durationMs: 123,
  model: "openai:gpt-4o-mini",
  msg: "rpc finished",
  note: "x".repeat(150),
});
const ROUNDS = 200_000;

for (const count of [0, 20, 1_000]) {
  // Secrets with characters JSON and URLs escape, so that each has several forms.
  const secrets = createSecretRegistry(
    Array.from({ length: count }, (_, i) => `key-${i}-Kq7Tx9Wv2Rm4"/+`),
  );
  secrets.redact(line);
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) secrets.redact(line);
  const ns = Number(process.hrtime.bigint() - started) / ROUNDS;
  console.log(`${count} secrets, ${line.length}-byte line: ${ns.toFixed(0)} ns per line`);
}

import { ConfigError } from "../config/config-error.js";
import type { Environment } from "../config/env-substitution.js";
import type { GatewayConfig } from "../config/gateway-config.js";
import { loadConfig } from "../config/load-config.js";

/** Where a command writes; the process's streams in production, buffers in tests. */
export interface CommandOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * `switchboard check-config FILE`: loads and validates the file with `env`, prints
 * `ok: 2 providers, 3 models, storage memory` and returns 0, or prints the one `ConfigError`
 * message (every problem with its path) to stderr and returns 1.
 *
 * @throws anything but a `ConfigError` (a bug), for the caller to report.
 */
export async function runCheckConfig(
  file: string,
  env: Environment,
  output: CommandOutput,
): Promise<number> {
  try {
    const { config } = await loadConfig(file, env);
    output.stdout.write(`ok: ${summarizeConfig(config)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      output.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** `2 providers, 3 models, storage memory`. */
export function summarizeConfig(config: GatewayConfig): string {
  const providers = Object.keys(config.providers).length;
  const models = config.models.length;
  return `${count(providers, "provider")}, ${count(models, "model")}, storage ${config.storage.type}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

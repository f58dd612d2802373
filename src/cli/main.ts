#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
import packageJson from "../../package.json" with { type: "json" };
import { runCheckConfig } from "./check-config-command.js";
import { type CliCommand, parseCliArgs, USAGE, UsageError } from "./parse-cli-args.js";

/**
 * The `switchboard` executable. Exit codes: 0 success, 1 invalid configuration or failure,
 * 2 bad command line; `serve` keeps running until a signal (see `runServe`).
 */
async function main(args: readonly string[]): Promise<number | undefined> {
  let command: CliCommand;
  try {
    command = parseCliArgs(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`switchboard: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  switch (command.kind) {
    case "help":
      process.stdout.write(USAGE);
      return 0;
    case "version":
      process.stdout.write(`${packageJson.version}\n`);
      return 0;
    case "check-config":
      return runCheckConfig(command.file, process.env, process);
    case "serve": {
      const { runServe } = await import("./serve-command.js");
      return runServe(command, process.env, process);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) {
      process.exitCode = code;
    }
  },
  (error: unknown) => {
    process.stderr.write(
      `switchboard: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exitCode = 1;
  },
);

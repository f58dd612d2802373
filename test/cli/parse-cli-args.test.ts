import { describe, expect, it } from "vitest";
import { parseCliArgs, UsageError } from "../../src/cli/parse-cli-args.js";

describe("parseCliArgs", () => {
  it("parses serve with its options", () => {
    expect(
      parseCliArgs(["serve", "--config", "a.yaml", "--port", "0", "--host", "0.0.0.0"]),
    ).toEqual({
      kind: "serve",
      configPath: "a.yaml",
      port: 0,
      host: "0.0.0.0",
    });
    expect(parseCliArgs(["serve", "-c", "b.json", "-p", "9000"])).toEqual({
      kind: "serve",
      configPath: "b.json",
      port: 9000,
      host: undefined,
    });
    expect(parseCliArgs(["serve"])).toEqual({
      kind: "serve",
      configPath: undefined,
      port: undefined,
      host: undefined,
    });
  });

  it("parses check-config with its file", () => {
    expect(parseCliArgs(["check-config", "gateway.yaml"])).toEqual({
      kind: "check-config",
      file: "gateway.yaml",
    });
  });

  it("recognises help and version, also after a command", () => {
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["-h"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["serve", "--help"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["--version"])).toEqual({ kind: "version" });
  });

  it.each([
    [[], /missing command/],
    [["start"], /unknown command "start"/],
    [["--verbose"], /unknown option "--verbose"/],
    [["serve", "--port", "http"], /--port must be an integer between 0 and 65535/],
    [["serve", "--port", "65536"], /--port must be an integer/],
    [["serve", "--port"], /argument missing/],
    [["serve", "extra.yaml"], /serve takes no arguments/],
    [["serve", "--host", ""], /--host must not be empty/],
    [["check-config"], /needs the FILE/],
    [["check-config", "a.yaml", "b.yaml"], /takes one FILE, got 2/],
    [["check-config", "--port", "1", "a.yaml"], /Unknown option '--port'/],
  ])("rejects %j", (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});

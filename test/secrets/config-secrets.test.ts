import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { configSecrets } from "../../src/secrets/config-secrets.js";

const models = ["oai:gpt-4o-mini"];

describe("configSecrets", () => {
  it("takes every provider's apiKey and header values, and the token of an auth header", () => {
    const config = parseConfig(
      {
        providers: {
          oai: {
            type: "openai",
            apiKey: "oai-Kq7Tx9",
            headers: { "x-team-token": "team-Wv2Rm4", "cf-aig-authorization": "Bearer cf-Zp8L" },
          },
          azure: {
            type: "azure-openai",
            baseUrl: "https://contoso.openai.azure.com",
            apiKey: "az-Hn4Lp9",
            headers: { "x-title": "My App" },
          },
        },
        models,
      },
      {},
    );
    expect(configSecrets(config, {}).sort()).toEqual(
      ["oai-Kq7Tx9", "team-Wv2Rm4", "Bearer cf-Zp8L", "cf-Zp8L", "az-Hn4Lp9", "My App"].sort(),
    );
  });

  it("takes the Valkey password of a url, decoded and as the url writes it", () => {
    const config = parseConfig(
      {
        providers: { oai: { type: "openai", apiKey: "oai-Kq7Tx9" } },
        models,
        storage: { type: "valkey", url: "redis://app:p%40ss%2Fw0rd@valkey.internal:6379/0" },
      },
      {},
    );
    expect(configSecrets(config, {})).toEqual(["oai-Kq7Tx9", "p@ss/w0rd", "p%40ss%2Fw0rd"]);
  });

  it("takes the Valkey password of AI Warp's valkey.password", () => {
    const config = parseConfig(
      {
        providers: { oai: { type: "openai", apiKey: "oai-Kq7Tx9" } },
        models,
        storage: {
          type: "valkey",
          valkey: { host: "valkey", username: "app", password: "s3cr:t" },
        },
      },
      {},
    );
    expect(configSecrets(config, {})).toContain("s3cr:t");
  });

  it("takes the AWS credentials of the environment, and no other variable", () => {
    const config = parseConfig({ providers: { aws: { type: "bedrock" } }, models: ["aws:m"] }, {});
    const env = {
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE7QW3RT5Y",
      AWS_SECRET_ACCESS_KEY: "wJalr/XUtnFEMI+K7MDENG",
      AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2Vj",
      AWS_REGION: "eu-central-1",
      HOME: "/home/switchboard",
    };
    expect(configSecrets(config, env)).toEqual([
      "AKIAEXAMPLE7QW3RT5Y",
      "wJalr/XUtnFEMI+K7MDENG",
      "IQoJb3JpZ2luX2Vj",
    ]);
  });
});

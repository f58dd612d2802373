import { describe, expect, it } from "vitest";
import { parseBaseUrl } from "../../../src/providers/http/parse-base-url.js";

describe("parseBaseUrl", () => {
  it("gives the URL and its path without trailing slashes", () => {
    const { url, basePath } = parseBaseUrl("p", "https://api.example.com/v1//");
    expect(url.origin).toBe("https://api.example.com");
    expect(basePath).toBe("/v1");
  });

  it("gives an empty base path for a bare origin, and keeps the query on the URL", () => {
    const { url, basePath } = parseBaseUrl("p", "http://127.0.0.1:8080/?tenant=a");
    expect(basePath).toBe("");
    expect(url.search).toBe("?tenant=a");
  });

  it("throws an error naming the provider for a string that is not a URL", () => {
    expect(() => parseBaseUrl("mine", "api.example.com/v1")).toThrow(
      'provider "mine": baseUrl is not a valid URL',
    );
  });

  it("throws an error naming the provider for a URL that is not http or https", () => {
    expect(() => parseBaseUrl("mine", "ftp://api.example.com")).toThrow(
      'provider "mine": baseUrl must be http or https',
    );
  });
});

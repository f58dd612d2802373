import { describe, expect, it } from "vitest";
import {
  createSecretRegistry,
  MAX_SECRETS,
  MIN_SECRET_CHARS,
  REDACTED,
} from "../../src/secrets/secret-registry.js";

describe("createSecretRegistry", () => {
  it("replaces every occurrence of every secret with the marker", () => {
    const secrets = createSecretRegistry(["key-Tq81Zr", "hdr-Wx27Lp"]);
    expect(secrets.redact("a key-Tq81Zr, b key-Tq81Zr and hdr-Wx27Lp.")).toBe(
      `a ${REDACTED}, b ${REDACTED} and ${REDACTED}.`,
    );
  });

  it("returns the text itself when it holds no secret, or when there are no secrets", () => {
    const text = "nothing to hide here";
    expect(createSecretRegistry(["key-Tq81Zr"]).redact(text)).toBe(text);
    expect(createSecretRegistry().redact(text)).toBe(text);
  });

  it(`ignores values shorter than ${MIN_SECRET_CHARS} characters, which would wreck every text`, () => {
    const secrets = createSecretRegistry(["", "a", "key"]);
    expect(secrets.size).toBe(0);
    expect(secrets.add("abc")).toBe(false);
    expect(secrets.add("abcd")).toBe(true);
    expect(secrets.redact("a key abc abcd")).toBe(`a key abc ${REDACTED}`);
  });

  it("finds a secret JSON-escaped, once as in a JSON body and twice as in a JSON log line", () => {
    const secret = 'pw"with\\slash\tTab';
    const once = JSON.stringify(secret).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    const secrets = createSecretRegistry([secret]);
    expect(secrets.redact(`raw ${secret} once ${once} twice ${twice}`)).toBe(
      `raw ${REDACTED} once ${REDACTED} twice ${REDACTED}`,
    );
    // The JSON line stays JSON: the marker needs no escaping.
    const line = JSON.stringify({ msg: `upstream said ${secret}` });
    expect(JSON.parse(secrets.redact(line))).toEqual({ msg: `upstream said ${REDACTED}` });
  });

  it("finds a secret URL-encoded, with %20 or + for a space, in either hex case", () => {
    const secret = "p@ss word/+&=";
    const encoded = encodeURIComponent(secret);
    const form = new URLSearchParams({ s: secret }).toString().slice(2);
    const secrets = createSecretRegistry([secret]);
    const text = `?a=${encoded}&b=${form}&c=${encoded.toLowerCase()}`;
    expect(secrets.redact(text)).toBe(`?a=${REDACTED}&b=${REDACTED}&c=${REDACTED}`);
  });

  it("takes the characters of a secret literally, never as a pattern", () => {
    const secrets = createSecretRegistry(["a.b*c+(d)?"]);
    expect(secrets.redact("axbbbc+d a.b*c+(d)?")).toBe(`axbbbc+d ${REDACTED}`);
  });

  it("replaces the longer of two secrets where one contains the other", () => {
    const secrets = createSecretRegistry(["token", "Bearer token-Zq4"]);
    expect(secrets.redact("auth: Bearer token-Zq4; other token")).toBe(
      `auth: ${REDACTED}; other ${REDACTED}`,
    );
  });

  it("hides the start of a secret that a cut left before an ellipsis", () => {
    const secrets = createSecretRegistry(["azure-Kq7Tx9Wv2Rm4", 'json"Esc\\aped']);
    expect(secrets.redact("api-key: azure-Kq7T…")).toBe(`api-key: ${REDACTED}…`);
    expect(secrets.redact("(a: azure-Kq7Tx…; b: fine…)")).toBe(`(a: ${REDACTED}…; b: fine…)`);
    // A JSON-escaped secret cut inside its escape, in a log line.
    expect(secrets.redact('{"data":"json\\\\\\"Esc\\\\…"}')).toBe(`{"data":"${REDACTED}…"}`);
    // Fewer than MIN_SECRET_CHARS of it say nothing worth hiding.
    expect(secrets.redact("api-key: azu…")).toBe("api-key: azu…");
  });

  it("hides the end of a secret whose start a provider's pattern masked with ***", () => {
    const secrets = createSecretRegistry(['cmp"Tok/Vx3Bq8']);
    // The Bearer pattern stops at the quote: "Bearer cmp" became "Bearer ***".
    expect(secrets.redact('authorization: Bearer ***"Tok/Vx3Bq8 next')).toBe(
      `authorization: Bearer ***${REDACTED} next`,
    );
    expect(secrets.redact("Bearer *** and sk-*** alone")).toBe("Bearer *** and sk-*** alone");
  });

  it("uses a secret added after it has redacted, and counts each secret once", () => {
    const secrets = createSecretRegistry(["first-Zq81"]);
    expect(secrets.redact("first-Zq81 later-Wp27")).toBe(`${REDACTED} later-Wp27`);
    expect(secrets.add("later-Wp27")).toBe(true);
    expect(secrets.add("later-Wp27")).toBe(true);
    expect(secrets.size).toBe(2);
    expect(secrets.redact("first-Zq81 later-Wp27")).toBe(`${REDACTED} ${REDACTED}`);
  });

  it(`holds at most ${MAX_SECRETS} secrets and refuses more`, () => {
    const secrets = createSecretRegistry();
    for (let i = 0; i < MAX_SECRETS; i++) expect(secrets.add(`secret-${i}-x`)).toBe(true);
    expect(secrets.add("one-too-many")).toBe(false);
    expect(secrets.size).toBe(MAX_SECRETS);
    expect(secrets.redact(`secret-${MAX_SECRETS - 1}-x one-too-many`)).toBe(
      `${REDACTED} one-too-many`,
    );
  });
});

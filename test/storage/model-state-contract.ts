import { describe, expect, it } from "vitest";
import type { ModelFailure } from "../../src/storage/records.js";
import { type MakeStorage, START_MS, useStorage } from "./storage-harness.js";

const MODEL = "openai:gpt-4o-mini";
const LEASE_MS = 30_000;

function failure(overrides: Partial<ModelFailure> = {}): ModelFailure {
  return {
    reason: "upstream returned 503",
    cooldownMs: 1_000,
    maxCooldownMs: 10_000,
    retryAfterMs: undefined,
    disable: false,
    ...overrides,
  };
}

/** The model state and rate limiter parts of the storage contract. */
export function describeModelStateContract(makeStorage: MakeStorage): void {
  describe("model state", () => {
    const harness = useStorage(makeStorage);

    it("admits a model it has never seen and reports it ready", async () => {
      const { storage } = await harness.start();
      expect(await storage.models.admit(MODEL, START_MS, LEASE_MS)).toEqual({ kind: "ready" });
      expect(await storage.models.getHealth(MODEL, START_MS)).toEqual({
        state: "ready",
        availableAtMs: undefined,
        lastError: "",
        consecutiveFailures: 0,
      });
    });

    it("cools a failed model down, then admits exactly one probe among concurrent callers, and a success restores it", async () => {
      const { models } = (await harness.start()).storage;
      const health = await models.recordFailure(MODEL, failure(), START_MS);
      expect(health).toEqual({
        state: "cooling_down",
        availableAtMs: START_MS + 1_000,
        lastError: "upstream returned 503",
        consecutiveFailures: 1,
      });
      expect(await models.admit(MODEL, START_MS + 999, LEASE_MS)).toEqual({
        kind: "cooling_down",
        availableAtMs: START_MS + 1_000,
      });
      const admissions = await Promise.all(
        Array.from({ length: 10 }, () => models.admit(MODEL, START_MS + 1_000, LEASE_MS)),
      );
      const kinds = admissions.map((admission) => admission.kind);
      expect(kinds.filter((kind) => kind === "probe")).toHaveLength(1);
      expect(kinds.filter((kind) => kind === "cooling_down")).toHaveLength(9);
      await models.recordSuccess(MODEL);
      expect(await models.admit(MODEL, START_MS + 1_001, LEASE_MS)).toEqual({ kind: "ready" });
      expect(await models.getHealth(MODEL, START_MS + 1_001)).toMatchObject({
        state: "ready",
        consecutiveFailures: 0,
      });
    });

    it("doubles the cooldown with each failed probe up to the maximum", async () => {
      const { models } = (await harness.start()).storage;
      let nowMs = START_MS;
      const waits: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const health = await models.recordFailure(MODEL, failure(), nowMs);
        const availableAtMs = health.availableAtMs ?? Number.NaN;
        waits.push(availableAtMs - nowMs);
        nowMs = availableAtMs;
        expect(await models.admit(MODEL, nowMs, LEASE_MS)).toEqual({ kind: "probe" });
      }
      expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
      expect((await models.getHealth(MODEL, nowMs)).consecutiveFailures).toBe(6);
    });

    it("lets a provider's Retry-After win over the computed cooldown", async () => {
      const { models } = (await harness.start()).storage;
      await models.recordFailure(MODEL, failure(), START_MS);
      const health = await models.recordFailure(MODEL, failure({ retryAfterMs: 250 }), START_MS);
      expect(health.availableAtMs).toBe(START_MS + 250);
      expect(await models.admit(MODEL, START_MS + 250, LEASE_MS)).toEqual({ kind: "probe" });
    });

    it("disables a model until a success is recorded", async () => {
      const { models } = (await harness.start()).storage;
      const health = await models.recordFailure(
        MODEL,
        failure({ disable: true, reason: "401" }),
        START_MS,
      );
      expect(health).toMatchObject({ state: "disabled", lastError: "401" });
      expect(await models.admit(MODEL, START_MS + 86_400_000, LEASE_MS)).toEqual({
        kind: "disabled",
      });
      await models.recordFailure(MODEL, failure(), START_MS + 1);
      expect((await models.getHealth(MODEL, START_MS + 2)).state).toBe("disabled");
      await models.recordSuccess(MODEL);
      expect(await models.admit(MODEL, START_MS + 3, LEASE_MS)).toEqual({ kind: "ready" });
    });

    it("lets another caller probe when the probe holder never reports within its lease", async () => {
      const { models } = (await harness.start()).storage;
      await models.recordFailure(MODEL, failure(), START_MS);
      const readyAt = START_MS + 1_000;
      expect(await models.admit(MODEL, readyAt, LEASE_MS)).toEqual({ kind: "probe" });
      expect(await models.admit(MODEL, readyAt + LEASE_MS - 1, LEASE_MS)).toMatchObject({
        kind: "cooling_down",
      });
      expect(await models.admit(MODEL, readyAt + LEASE_MS, LEASE_MS)).toEqual({ kind: "probe" });
      expect(await models.admit(MODEL, readyAt + LEASE_MS, LEASE_MS)).toMatchObject({
        kind: "cooling_down",
      });
    });
  });

  describe("rate limits", () => {
    const harness = useStorage(makeStorage);
    const windowMs = 60_000;
    // The start of a window, so that the maths below is easy to read.
    const windowStart = Math.floor(START_MS / windowMs) * windowMs;

    it("allows exactly max requests per window under concurrency", async () => {
      const { rateLimits } = (await harness.start()).storage;
      const decisions = await Promise.all(
        Array.from({ length: 25 }, () => rateLimits.take("model", 10, windowMs, windowStart + 5)),
      );
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
      expect(await rateLimits.remaining("model", 10, windowMs, windowStart + 6)).toBe(0);
      expect(await rateLimits.remaining("other", 10, windowMs, windowStart + 6)).toBe(10);
    });

    it("says how long until the window ends when the limit is reached", async () => {
      const { rateLimits } = (await harness.start()).storage;
      expect(await rateLimits.take("model", 2, windowMs, windowStart)).toEqual({
        allowed: true,
        retryAfterMs: 0,
      });
      await rateLimits.take("model", 2, windowMs, windowStart + 1);
      expect(await rateLimits.remaining("model", 2, windowMs, windowStart + 1)).toBe(0);
      expect(await rateLimits.take("model", 2, windowMs, windowStart + 45_000)).toEqual({
        allowed: false,
        retryAfterMs: 15_000,
      });
    });

    it("starts every window aligned to the epoch from zero", async () => {
      const { rateLimits } = (await harness.start()).storage;
      const lastMs = windowStart + windowMs - 1;
      expect((await rateLimits.take("model", 1, windowMs, lastMs)).allowed).toBe(true);
      expect((await rateLimits.take("model", 1, windowMs, lastMs)).allowed).toBe(false);
      expect(await rateLimits.remaining("model", 1, windowMs, lastMs + 1)).toBe(1);
      expect((await rateLimits.take("model", 1, windowMs, lastMs + 1)).allowed).toBe(true);
    });
  });
}

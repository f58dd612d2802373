import { describe, expect, it } from "vitest";
import { createGraceIterator, GRACE_PASSED } from "../../../src/providers/stream/grace-iterator.js";

/** An async iterable whose items the test pushes, and which records `return` calls. */
function controlledSource<T>() {
  const waiting: ((result: IteratorResult<T>) => void)[] = [];
  const queued: IteratorResult<T>[] = [];
  let returned = 0;
  const iterator: AsyncIterator<T> = {
    next: () =>
      new Promise((resolve) => {
        const result = queued.shift();
        if (result !== undefined) resolve(result);
        else waiting.push(resolve);
      }),
    return: async () => {
      returned++;
      return { done: true, value: undefined };
    },
  };
  const settle = (result: IteratorResult<T>) => {
    const resolve = waiting.shift();
    if (resolve !== undefined) resolve(result);
    else queued.push(result);
  };
  return {
    source: { [Symbol.asyncIterator]: () => iterator },
    push: (value: T) => settle({ done: false, value }),
    end: () => settle({ done: true, value: undefined }),
    returned: () => returned,
  };
}

describe("createGraceIterator", () => {
  it("waits for items without a time limit until the grace starts", async () => {
    const control = controlledSource<string>();
    const items = createGraceIterator(control.source, 1);
    const next = items.next();
    // Not a synchronisation: time must pass to show that no grace applies before startGrace.
    await new Promise((resolve) => setTimeout(resolve, 20));
    control.push("late");
    expect(await next).toEqual({ done: false, value: "late" });
  });

  it("gives the next item when it arrives within the grace time", async () => {
    const control = controlledSource<string>();
    const items = createGraceIterator(control.source, 5000);
    items.startGrace();
    const next = items.next();
    control.push("usage");
    expect(await next).toEqual({ done: false, value: "usage" });
  });

  it("gives GRACE_PASSED when nothing follows within the grace time, counted from startGrace", async () => {
    const control = controlledSource<string>();
    const items = createGraceIterator(control.source, 30);
    items.startGrace();
    const startedMs = Date.now();
    expect(await items.next()).toBe(GRACE_PASSED);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(25);
  });

  it("keeps the first start of the grace when startGrace is called again", async () => {
    const control = controlledSource<string>();
    const items = createGraceIterator(control.source, 200);
    items.startGrace();
    await new Promise((resolve) => setTimeout(resolve, 210));
    items.startGrace();
    // The grace started 210 ms ago and lasts 200 ms: it is already over, not restarted.
    const startedMs = Date.now();
    expect(await items.next()).toBe(GRACE_PASSED);
    expect(Date.now() - startedMs).toBeLessThan(150);
  });

  it("returns the source on close, and waits for it, when no read was abandoned", async () => {
    const control = controlledSource<string>();
    const items = createGraceIterator(control.source);
    control.end();
    expect(await items.next()).toEqual({ done: true, value: undefined });
    await items.close();
    expect(control.returned()).toBe(1);
  });

  it("closes without waiting for an abandoned read that never settles", async () => {
    // A generator cannot return while its read is pending: awaiting its return would hang.
    async function* hanging(): AsyncGenerator<string> {
      yield "first";
      await new Promise(() => {});
    }
    const items = createGraceIterator(hanging(), 10);
    expect(await items.next()).toEqual({ done: false, value: "first" });
    items.startGrace();
    expect(await items.next()).toBe(GRACE_PASSED);
    await expect(items.close()).resolves.toBeUndefined();
  });

  it("propagates an error of the source", async () => {
    async function* failing(): AsyncGenerator<string> {
      yield* [];
      throw new Error("socket reset");
    }
    const items = createGraceIterator(failing());
    await expect(items.next()).rejects.toThrow("socket reset");
  });
});

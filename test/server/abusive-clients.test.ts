import { describe, expect, it } from "vitest";
import { createAbusiveClients } from "../../src/server/abusive-clients.js";

function clientsAt(clock: { now: number }, blockMs = 10_000) {
  return createAbusiveClients({
    blockMs,
    offencesToBlock: 3,
    windowMs: 60_000,
    now: () => clock.now,
  });
}

describe("abusive clients", () => {
  it("blocks a client at its third offence within the window, for blockMs", () => {
    const clock = { now: 0 };
    const clients = clientsAt(clock);
    expect(clients.offend("10.0.0.1")).toBe(false);
    expect(clients.offend("10.0.0.1")).toBe(false);
    expect(clients.blocked("10.0.0.1")).toBe(false);
    expect(clients.offend("10.0.0.1")).toBe(true);
    expect(clients.blocked("10.0.0.1")).toBe(true);
    expect(clients.blocked("10.0.0.2")).toBe(false);
    clock.now = 9_999;
    expect(clients.blocked("10.0.0.1")).toBe(true);
    clock.now = 10_000;
    expect(clients.blocked("10.0.0.1")).toBe(false);
  });

  it("forgets offences older than the window", () => {
    const clock = { now: 0 };
    const clients = clientsAt(clock);
    clients.offend("10.0.0.1");
    clients.offend("10.0.0.1");
    clock.now = 60_001;
    expect(clients.offend("10.0.0.1")).toBe(false);
    expect(clients.blocked("10.0.0.1")).toBe(false);
  });

  it("never blocks with blockMs 0", () => {
    const clients = clientsAt({ now: 0 }, 0);
    for (let i = 0; i < 10; i++) expect(clients.offend("10.0.0.1")).toBe(false);
    expect(clients.blocked("10.0.0.1")).toBe(false);
  });

  it("remembers at most 10,000 addresses, forgetting the oldest first", () => {
    const clock = { now: 0 };
    const clients = clientsAt(clock);
    for (let i = 0; i < 3; i++) clients.offend("first");
    expect(clients.blocked("first")).toBe(true);
    for (let n = 0; n < 10_000; n++) for (let i = 0; i < 3; i++) clients.offend(`c${n}`);
    expect(clients.blocked("first")).toBe(false);
    expect(clients.blocked("c9999")).toBe(true);
  });
});

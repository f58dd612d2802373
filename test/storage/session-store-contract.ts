import { describe, expect, it } from "vitest";
import { assistant, newSession, user } from "./session-fixtures.js";
import { type MakeStorage, START_MS, useStorage } from "./storage-harness.js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The session store part of the storage contract (listings are in the paging part). */
export function describeSessionStoreContract(makeStorage: MakeStorage): void {
  describe("sessions", () => {
    const harness = useStorage(makeStorage);

    it("creates a session with a server-generated UUID and returns it from getSession", async () => {
      const { storage } = await harness.start({ sessionTtlMs: 60_000 });
      const created = await storage.sessions.createSession(
        newSession({ title: "trip", metadata: { team: "blue" } }),
      );
      expect(created).toMatchObject({
        owner: "alice",
        system: "be brief",
        title: "trip",
        metadata: { team: "blue" },
        messageCount: 0,
        createTimeMs: START_MS,
        updateTimeMs: START_MS,
        expireTimeMs: START_MS + 60_000,
      });
      expect(created.id).toMatch(uuid);
      expect(await storage.sessions.getSession("alice", created.id)).toEqual(created);
      const other = await storage.sessions.createSession(newSession());
      expect(other.id).not.toBe(created.id);
    });

    it("reports another owner's session exactly like an unknown one on every method", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const mine = await sessions.createSession(newSession());
      await sessions.appendMessages("alice", mine.id, [user("hello")]);
      const page = { pageSize: 0, pageToken: "" };
      expect(await sessions.getSession("bob", mine.id)).toBeUndefined();
      expect((await sessions.listSessions("bob", page)).items).toEqual([]);
      expect(await sessions.appendMessages("bob", mine.id, [user("x")])).toBeUndefined();
      expect(await sessions.listMessages("bob", mine.id, page)).toBeUndefined();
      const window = { maxMessages: 10, maxChars: 1000 };
      expect(await sessions.recentMessages("bob", mine.id, window)).toBeUndefined();
      expect(await sessions.deleteSession("bob", mine.id)).toBe(false);
      expect((await sessions.getSession("alice", mine.id))?.messageCount).toBe(1);
    });

    it("treats a session as gone once its TTL of inactivity has passed", async () => {
      const { storage, clock } = await harness.start({ sessionTtlMs: 60_000 });
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      clock.advance(59_999);
      expect(await sessions.getSession("alice", created.id)).toBeDefined();
      clock.advance(1);
      const page = { pageSize: 0, pageToken: "" };
      expect(await sessions.getSession("alice", created.id)).toBeUndefined();
      expect((await sessions.listSessions("alice", page)).items).toEqual([]);
      expect(await sessions.appendMessages("alice", created.id, [user("late")])).toBeUndefined();
      expect(await sessions.listMessages("alice", created.id, page)).toBeUndefined();
      const window = { maxMessages: 10, maxChars: 1000 };
      expect(await sessions.recentMessages("alice", created.id, window)).toBeUndefined();
      expect(await sessions.deleteSession("alice", created.id)).toBe(false);
      await storage.sweep();
      expect(await sessions.getSession("alice", created.id)).toBeUndefined();
    });

    it("refreshes the TTL and the update time when messages are appended", async () => {
      const { storage, clock } = await harness.start({ sessionTtlMs: 60_000 });
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      clock.advance(50_000);
      const updated = await sessions.appendMessages("alice", created.id, [
        user("hi"),
        assistant("hello"),
      ]);
      expect(updated).toMatchObject({
        messageCount: 2,
        createTimeMs: START_MS,
        updateTimeMs: START_MS + 50_000,
        expireTimeMs: START_MS + 110_000,
      });
      clock.advance(59_999);
      await storage.sweep();
      expect(await sessions.getSession("alice", created.id)).toEqual(updated);
      const history = await sessions.listMessages("alice", created.id, {
        pageSize: 0,
        pageToken: "",
      });
      expect(history?.items).toEqual([
        { role: "user", text: "hi", createTimeMs: START_MS + 50_000 },
        { ...assistant("hello"), createTimeMs: START_MS + 50_000 },
      ]);
    });

    it("titles an untitled session with its first user message, collapsed and cut to 80 characters", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const untitled = await sessions.createSession(newSession());
      await sessions.appendMessages("alice", untitled.id, [assistant("greetings")]);
      expect((await sessions.getSession("alice", untitled.id))?.title).toBe("");
      const long = `  Plan a\n\ntrip ${"x".repeat(100)}`;
      const titled = await sessions.appendMessages("alice", untitled.id, [
        user(long),
        user("second"),
      ]);
      expect(titled?.title).toBe(`Plan a trip ${"x".repeat(68)}`);
      const again = await sessions.appendMessages("alice", untitled.id, [user("another topic")]);
      expect(again?.title).toBe(titled?.title);
      const named = await sessions.createSession(newSession({ title: "given" }));
      expect((await sessions.appendMessages("alice", named.id, [user("hi")]))?.title).toBe("given");
    });

    it("appends each batch whole: concurrent appends never interleave", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      const batches = Array.from({ length: 5 }, (_, i) => [user(`q${i}`), assistant(`a${i}`)]);
      await Promise.all(
        batches.map((batch) => sessions.appendMessages("alice", created.id, batch)),
      );
      const page = await sessions.listMessages("alice", created.id, { pageSize: 0, pageToken: "" });
      const texts = page?.items.map((message) => message.text) ?? [];
      expect(texts).toHaveLength(10);
      for (let i = 0; i < texts.length; i += 2) {
        expect(texts[i + 1]).toBe(texts[i]?.replace("q", "a"));
      }
      expect((await sessions.getSession("alice", created.id))?.messageCount).toBe(10);
    });

    it("picks the newest whole messages within the message and character bounds, oldest first", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      const texts = ["aaaa", "bbb", "cc", "d", "eeeee"];
      await sessions.appendMessages("alice", created.id, texts.map(user));
      const recent = async (maxMessages: number, maxChars: number): Promise<string[] | undefined> =>
        (await sessions.recentMessages("alice", created.id, { maxMessages, maxChars }))?.map(
          (message) => message.text,
        );
      expect(await recent(3, 1_000)).toEqual(["cc", "d", "eeeee"]);
      expect(await recent(10, 8)).toEqual(["cc", "d", "eeeee"]);
      expect(await recent(10, 7)).toEqual(["d", "eeeee"]);
      expect(await recent(10, 1_000)).toEqual(texts);
      expect(await recent(0, 1_000)).toEqual([]);
      // The newest message alone is over the bound: nothing older may stand in for it.
      expect(await recent(10, 4)).toEqual([]);
      const unknown = { maxMessages: 1, maxChars: 1 };
      expect(await sessions.recentMessages("alice", "missing", unknown)).toBeUndefined();
    });

    it("deletes a session with its history", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      await sessions.appendMessages("alice", created.id, [user("hi")]);
      expect(await sessions.deleteSession("alice", created.id)).toBe(true);
      expect(await sessions.getSession("alice", created.id)).toBeUndefined();
      const page = { pageSize: 0, pageToken: "" };
      expect(await sessions.listMessages("alice", created.id, page)).toBeUndefined();
      expect((await sessions.listSessions("alice", page)).items).toEqual([]);
      expect(await sessions.deleteSession("alice", created.id)).toBe(false);
    });

    it("returns snapshots that neither the caller nor later changes can alter", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const metadata: Record<string, string> = { team: "blue" };
      const created = await sessions.createSession(newSession({ metadata }));
      metadata.team = "red";
      Reflect.set(created, "title", "hacked");
      Reflect.set(created.metadata, "team", "green");
      const message: { role: "user"; text: string } = { role: "user", text: "original" };
      await sessions.appendMessages("alice", created.id, [message]);
      message.text = "changed";
      const page = { pageSize: 0, pageToken: "" };
      const listed = await sessions.listMessages("alice", created.id, page);
      Reflect.set(listed?.items[0] ?? {}, "text", "changed too");
      const stored = await sessions.getSession("alice", created.id);
      expect(stored).toMatchObject({ title: "original", metadata: { team: "blue" } });
      expect((await sessions.listMessages("alice", created.id, page))?.items[0]?.text).toBe(
        "original",
      );
      expect(stored?.messageCount).toBe(1);
      expect(created.messageCount).toBe(0);
    });
  });
}

import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/gateway-error.js";
import type { SessionRecord } from "../../src/storage/records.js";
import type { SessionStore } from "../../src/storage/session-store.js";
import { newSession, user } from "./session-fixtures.js";
import { type MakeStorage, rejectionOf, useStorage } from "./storage-harness.js";

/** Creates `count` sessions of alice, one millisecond apart, oldest first. */
async function createMany(
  sessions: SessionStore,
  advance: (ms: number) => void,
  count: number,
): Promise<SessionRecord[]> {
  const created: SessionRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    created.push(await sessions.createSession(newSession({ title: `s${i}` })));
    advance(1);
  }
  return created;
}

/** Every page of alice's sessions from `firstToken` on, following the tokens. */
async function listPages(
  sessions: SessionStore,
  pageSize: number,
  firstToken = "",
): Promise<SessionRecord[][]> {
  const pages: SessionRecord[][] = [];
  let pageToken = firstToken;
  do {
    const page = await sessions.listSessions("alice", { pageSize, pageToken });
    pages.push([...page.items]);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return pages;
}

/** The listing part of the session store contract: order, pages and tokens. */
export function describeSessionPagingContract(makeStorage: MakeStorage): void {
  describe("session listings", () => {
    const harness = useStorage(makeStorage);

    it("lists the owner's sessions most recently updated first across pages with no duplicate or gap", async () => {
      const { storage, clock } = await harness.start();
      const { sessions } = storage;
      const created = await createMany(sessions, clock.advance, 7);
      await sessions.createSession(newSession({ owner: "bob" }));
      await sessions.appendMessages("alice", created[2]?.id ?? "", [user("bump")]);
      const pages = await listPages(sessions, 3);
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      const order = pages.flat().map((session) => session.title);
      expect(order).toEqual(["s2", "s6", "s5", "s4", "s3", "s1", "s0"]);
    });

    it("keeps a listing free of duplicates when sessions are updated between pages", async () => {
      const { storage, clock } = await harness.start();
      const { sessions } = storage;
      const created = await createMany(sessions, clock.advance, 6);
      const first = await sessions.listSessions("alice", { pageSize: 2, pageToken: "" });
      // One session already listed and one not yet listed move to the top.
      for (const session of [created[5], created[1]]) {
        clock.advance(1);
        await sessions.appendMessages("alice", session?.id ?? "", [user("bump")]);
      }
      const rest = (await listPages(sessions, 2, first.nextPageToken)).flat();
      const titles = [...first.items, ...rest].map((session) => session.title);
      expect(new Set(titles).size).toBe(titles.length);
      for (const untouched of ["s4", "s3", "s2", "s0"]) expect(titles).toContain(untouched);
    });

    it("uses 20 sessions for page size 0 and caps a page at 100", async () => {
      const { storage, clock } = await harness.start();
      const { sessions } = storage;
      await createMany(sessions, clock.advance, 105);
      const byDefault = await sessions.listSessions("alice", { pageSize: 0, pageToken: "" });
      expect(byDefault.items).toHaveLength(20);
      const capped = await sessions.listSessions("alice", { pageSize: 1_000, pageToken: "" });
      expect(capped.items).toHaveLength(100);
      const last = await sessions.listSessions("alice", {
        pageSize: 1_000,
        pageToken: capped.nextPageToken,
      });
      expect(last).toEqual({ items: expect.any(Array), nextPageToken: "" });
      expect(last.items).toHaveLength(5);
    });

    it("rejects a page token it did not issue with invalid_argument", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      const foreignJson = Buffer.from('{"x":1}').toString("base64url");
      for (const pageToken of ["not a token!", foreignJson, "AAAA"]) {
        const listing = rejectionOf(sessions.listSessions("alice", { pageSize: 1, pageToken }));
        expect(await listing).toBeInstanceOf(GatewayError);
        expect(await listing).toMatchObject({ code: "invalid_argument" });
        expect((await listing) as Error).toHaveProperty(
          "message",
          expect.stringContaining("page_token"),
        );
        const history = rejectionOf(
          sessions.listMessages("alice", created.id, { pageSize: 1, pageToken }),
        );
        expect(await history).toMatchObject({ code: "invalid_argument" });
      }
    });

    it("lists messages oldest first across pages, 100 by default and at most 1000", async () => {
      const { storage } = await harness.start();
      const { sessions } = storage;
      const created = await sessions.createSession(newSession());
      const many = Array.from({ length: 1_005 }, (_, i) => user(`m${i}`));
      await sessions.appendMessages("alice", created.id, many);
      const texts: string[] = [];
      let pageToken = "";
      do {
        const page = await sessions.listMessages("alice", created.id, { pageSize: 400, pageToken });
        texts.push(...(page?.items.map((message) => message.text) ?? []));
        pageToken = page?.nextPageToken ?? "";
      } while (pageToken !== "");
      expect(texts).toEqual(many.map((message) => message.text));
      const first = { pageSize: 0, pageToken: "" };
      expect((await sessions.listMessages("alice", created.id, first))?.items).toHaveLength(100);
      const huge = { pageSize: 5_000, pageToken: "" };
      expect((await sessions.listMessages("alice", created.id, huge))?.items).toHaveLength(1_000);
    });
  });
}

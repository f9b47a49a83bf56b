import assert from "node:assert/strict";
import type { JsonObject, StateKey } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { createLogger } from "../log.ts";
import type { NewEvent, PersistedEvent, SendOptions } from "./local-events.ts";
import { memberContentWithProfile, propagateProfile, type MemberProfileDeps } from "./member-profile.ts";

const ME = "@bob:a";

describe("memberContentWithProfile", () => {
  it("replaces the profile fields and drops what belongs to the join itself", () => {
    const current = { membership: "join", displayname: "bob", reason: "hi", join_authorised_via_users_server: "@x:a", "org.example": 1 };
    assert.deepEqual(memberContentWithProfile(current, { displayname: "Robert", avatarUrl: "mxc://a/b" }),
      { membership: "join", displayname: "Robert", avatar_url: "mxc://a/b", "org.example": 1 });
  });

  it("removes cleared fields and says when nothing changes", () => {
    assert.deepEqual(memberContentWithProfile({ membership: "join", displayname: "bob", avatar_url: "mxc://a/b" }, { displayname: "bob", avatarUrl: undefined }),
      { membership: "join", displayname: "bob" });
    assert.equal(memberContentWithProfile({ membership: "join", displayname: "bob" }, { displayname: "bob", avatarUrl: undefined }), undefined);
  });
});

describe("propagateProfile", () => {
  /** Rooms: id → the user's member content there; `failing` rooms refuse the send. */
  function fakes(rooms: Record<string, JsonObject>, failing: string[], leftMeanwhile: string[] = []) {
    const sent: { roomId: string; content: JsonObject }[] = [];
    const warnings: string[] = [];
    const row = (id: string): StoredEventRow | undefined => {
      const roomId = id.slice(1);
      const content = leftMeanwhile.includes(roomId) && id.startsWith("$new") ? { membership: "leave" } : rooms[roomId];
      return content ? { stream: 1, event: { eventId: id, pdu: { content } as never }, stateGroup: 1, redactedBy: undefined, outlier: false, rejected: undefined, softFailed: false } : undefined;
    };
    const deps: MemberProfileDeps = {
      rooms: { roomsForUser: async () => Object.entries(rooms).map(([roomId, c]) => ({ roomId, membership: String(c["membership"]), eventId: `$${roomId}`, stream: 1 })) },
      events: { getEvent: async (id: string) => row(id) },
      localEvents: {
        send: async (roomId: string, _sender: string, ev: NewEvent, opts: SendOptions = {}): Promise<PersistedEvent> => {
          const memberId = leftMeanwhile.includes(roomId) ? `$new${roomId}` : `$${roomId}`;
          await opts.precondition?.(new Map<StateKey, string>([[stateKeyOf("m.room.member", ME), memberId]]));
          if (failing.includes(roomId)) throw new Error("M_FORBIDDEN");
          sent.push({ roomId, content: ev.content });
          return { roomId, stream: 1, event: { eventId: "$x", pdu: {} as never } };
        },
      },
      log: createLogger("warn", {}, (line) => warnings.push(line)),
    };
    return { deps, sent, warnings };
  }

  it("updates every joined room, skips the others, and survives a failing room", async () => {
    const joined = { membership: "join", displayname: "bob" };
    const { deps, sent, warnings } = fakes({ r1: joined, r2: joined, r3: joined, r4: { membership: "invite" }, r5: { membership: "join", displayname: "Robert" } }, ["r2"]);
    const result = await propagateProfile(deps, ME, { displayname: "Robert", avatarUrl: undefined });
    assert.deepEqual(result, { updated: 2, failed: 1 });
    assert.deepEqual(sent.map((s) => s.roomId), ["r1", "r3"]);
    assert.deepEqual(sent[0]?.content, { membership: "join", displayname: "Robert" });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /"room_id":"r2"/);
  });

  it("does not re-join a room the user left after the room list was read", async () => {
    const { deps, sent } = fakes({ r1: { membership: "join" }, r2: { membership: "join" } }, [], ["r1"]);
    assert.deepEqual(await propagateProfile(deps, ME, { displayname: "Robert", avatarUrl: undefined }), { updated: 1, failed: 1 });
    assert.deepEqual(sent.map((s) => s.roomId), ["r2"]);
  });
});

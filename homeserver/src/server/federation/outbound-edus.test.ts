import assert from "node:assert/strict";
import { createLogger } from "../log.ts";
import { OutboundEdus, receiptEdu, typingEdu } from "./outbound-edus.ts";

describe("OutboundEdus", () => {
  it("builds the spec's m.typing and m.receipt EDUs", () => {
    assert.deepEqual(typingEdu("!r:a.test", "@u:a.test", true), { edu_type: "m.typing", content: { room_id: "!r:a.test", user_id: "@u:a.test", typing: true } });
    assert.deepEqual(receiptEdu({ roomId: "!r:a.test", userId: "@u:a.test", eventId: "$e", ts: 42, threadId: "" }), {
      edu_type: "m.receipt", content: { "!r:a.test": { "m.read": { "@u:a.test": { event_ids: ["$e"], data: { ts: 42 } } } } },
    });
    const threaded = receiptEdu({ roomId: "!r", userId: "@u:a.test", eventId: "$e", ts: 1, threadId: "$root" });
    assert.deepEqual((threaded.content["!r"] as Record<string, Record<string, { data: unknown }>>)["m.read"]?.["@u:a.test"]?.data, { ts: 1, thread_id: "$root" });
  });

  it("sends to the other servers of the room only, and never throws", async () => {
    const sent: { destinations: string[]; edu: unknown }[] = [];
    let servers = new Set(["a.test", "b.test", "c.test"]);
    let fail = false;
    const edus = new OutboundEdus({
      sender: {
        async enqueueEdu(destinations, edu) {
          if (fail) throw new Error("database is down");
          sent.push({ destinations: [...destinations], edu });
        },
      },
      serversInRoom: async () => servers, serverName: "a.test", log: createLogger("error", {}, () => undefined),
      joinedRooms: async () => ["!r:a.test"],
    });
    await edus.typing("!r:a.test", "@u:a.test", false);
    assert.deepEqual(sent, [{ destinations: ["b.test", "c.test"], edu: typingEdu("!r:a.test", "@u:a.test", false) }]);
    servers = new Set(["a.test"]);
    await edus.readReceipt({ roomId: "!r:a.test", userId: "@u:a.test", eventId: "$e", ts: 5, threadId: "" });
    assert.equal(sent.length, 1, "a room with no other server sends nothing");
    servers = new Set(["a.test", "b.test"]);
    await edus.presence("@u:a.test", "online", "en réunion");
    assert.deepEqual(sent.at(-1), { destinations: ["b.test"], edu: { edu_type: "m.presence", content: { push: [
      { user_id: "@u:a.test", presence: "online", last_active_ago: 0, currently_active: true, status_msg: "en réunion" }] } } });
    fail = true;
    await edus.typing("!r:a.test", "@u:a.test", true);
    await edus.presence("@u:a.test", "offline", undefined);
  });
});

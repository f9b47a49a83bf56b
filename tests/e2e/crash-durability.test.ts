// Issue 3 acceptance: kill -9 during a burst of sends; after restart every event acknowledged
// with 200 is there, in order.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnHomeserver, waitExit, writeYamlConfig } from "../harness/child-homeserver.ts";
import { registerUser } from "../harness/homeserver.ts";
import { freePort } from "../harness/ports.ts";


async function api(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url + path, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("crash durability (kill -9 during a burst of sends)", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "entente-crash-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every acknowledged event, in order, and restarts cleanly", async () => {
    const port = await freePort();
    const config = writeYamlConfig(dir, "crash.local", port);
    let { child, url } = await spawnHomeserver(config);
    const alice = await registerUser(url, "alice");
    const room = await api(url, alice.accessToken, "POST", "/_matrix/client/v3/createRoom", {});
    const roomId = String(room.json["room_id"]);
    const acked: { i: number; eventId: string }[] = [];
    // 4 concurrent senders; the process is killed while they are running
    let i = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (!killed) {
        const n = i++;
        try {
          const r = await api(url, alice.accessToken, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${n}`, { msgtype: "m.text", body: `msg ${n}` });
          if (r.status === 200) acked.push({ i: n, eventId: String(r.json["event_id"]) });
        } catch {
          return; // connection died with the process
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    while (acked.length < 150) await new Promise((r) => setImmediate(r));
    child.kill("SIGKILL");
    killed = true;
    await Promise.all(senders);
    await waitExit(child);
    assert.ok(acked.length >= 150);

    ({ child, url } = await spawnHomeserver(config));
    try {
      const ids: string[] = [];
      let from: string | undefined;
      for (;;) {
        const q: string = `dir=f&limit=1000${from ? `&from=${from}` : ""}`;
        const page = await api(url, alice.accessToken, "GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?${q}`);
        assert.equal(page.status, 200);
        const chunk = page.json["chunk"] as { event_id: string; type: string }[];
        ids.push(...chunk.filter((e) => e.type === "m.room.message").map((e) => e.event_id));
        if (!page.json["end"] || chunk.length === 0) break;
        from = String(page.json["end"]);
      }
      const position = new Map(ids.map((id, idx) => [id, idx]));
      for (const a of acked) assert.ok(position.has(a.eventId), `acknowledged event ${a.i} lost`);
      // Acknowledgements of one sender are sequential, so they must appear in the same relative order.
      const ackOrder = acked.map((a) => position.get(a.eventId) ?? -1);
      const sorted = [...ackOrder].sort((x, y) => x - y);
      assert.deepEqual(ackOrder, sorted, "acknowledged events out of order");
      // the server still accepts writes after the restart
      const after = await api(url, alice.accessToken, "PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/after`, { msgtype: "m.text", body: "after restart" });
      assert.equal(after.status, 200);
    } finally {
      child.kill("SIGTERM");
      await waitExit(child);
    }
  });
});

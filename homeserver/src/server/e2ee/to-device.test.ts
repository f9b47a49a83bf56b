// ToDevice.forSync: a long-poll repeating its token neither deletes its acknowledgement again nor
// reads past the head; a new token deletes what it acknowledges, and messages are still delivered.
import assert from "node:assert/strict";
import { ToDevice } from "./to-device.ts";
import type { E2eeStore, ToDeviceRow } from "../../storage/e2ee-store.ts";
import type { UserStore } from "../../storage/user-store.ts";
import { Notifier } from "../notifier.ts";

describe("ToDevice.forSync", () => {
  const me = { userId: "@a:test.local", deviceId: "D1" };
  let rows: ToDeviceRow[];
  let calls: string[];
  let toDevice: ToDevice;

  beforeEach(() => {
    rows = [];
    calls = [];
    const store = {
      deleteToDevice: async (_u: string, _d: string, upTo: number) => {
        calls.push(`delete ≤ ${upTo}`);
        rows = rows.filter((r) => r.stream > upTo);
      },
      toDeviceFor: async (_u: string, _d: string, after: number) => {
        calls.push(`read > ${after}`);
        return rows.filter((r) => r.stream > after);
      },
    } as unknown as E2eeStore;
    toDevice = new ToDevice({ store, users: {} as UserStore, notifier: new Notifier(), clock: { now: () => 0 }, serverName: "test.local",
      remote: () => { throw new Error("no remote recipients here"); } });
  });

  const message = (stream: number): ToDeviceRow => ({ stream, sender: "@b:test.local", type: "m.test", content: { n: stream } });

  it("acknowledges once per token and reads nothing past the head", async () => {
    rows = [message(5)];
    assert.deepEqual((await toDevice.forSync(me, undefined, 5)).events.map((r) => r.stream), [5]);
    assert.deepEqual(calls.splice(0), ["read > 0"]);
    // the next long-poll, from position 5: deletes 5, nothing newer
    assert.deepEqual(await toDevice.forSync(me, 5, 5), { events: [], position: 5 });
    assert.deepEqual(calls.splice(0), ["delete ≤ 5"]);
    assert.deepEqual(rows, []);
    // woken again with the same token: no statement at all
    assert.deepEqual(await toDevice.forSync(me, 5, 5), { events: [], position: 5 });
    assert.deepEqual(calls.splice(0), []);
    // a message queued after the head: read, and acknowledged by the next token
    rows = [message(7)];
    assert.deepEqual(await toDevice.forSync(me, 5, 7), { events: [message(7)], position: 7 });
    assert.deepEqual(calls.splice(0), ["read > 5"]);
    await toDevice.forSync(me, 7, 7);
    assert.deepEqual(calls.splice(0), ["delete ≤ 7"]);
    assert.deepEqual(rows, []);
  });
});

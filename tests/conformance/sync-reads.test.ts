// The combined reads /sync makes (one statement each instead of several), on both databases: they
// answer what the separate reads answer.
import assert from "node:assert/strict";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { E2eeStore } from "../../homeserver/src/storage/e2ee-store.ts";
import { StreamStore } from "../../homeserver/src/storage/stream-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { streamPositions } from "../../homeserver/src/storage/sync-queries.ts";
import { openTestDatabase } from "../harness/test-database.ts";

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`combined /sync reads (${kind})`, function () {
    this.timeout(60_000);
    let db: Database;
    let cleanup: () => Promise<void>;

    before(async function () {
      ({ db, close: cleanup } = await openTestDatabase(kind, this));
    });
    after(() => cleanup?.());

    it("streamPositions equals the stores' max*() reads", async () => {
      const e2ee = new E2eeStore({ db });
      const streams = new StreamStore({ db });
      const separate = async (): Promise<Record<string, number>> => ({
        events: await new EventStore({ db }).maxStream(), accountData: await streams.maxAccountData(), receipts: await streams.maxReceipt(),
        presence: await new UserStore({ db }).maxPresenceStream(), deviceLists: await e2ee.maxDeviceListStream(), toDevice: await e2ee.toDeviceHead(),
        oneTimeKeys: await e2ee.keysHead(),
        memberRows: Number((await db.one<{ m: number | null }>("SELECT MAX(stream_ordering) AS m FROM current_state WHERE type = 'm.room.member'"))?.m ?? 0),
      });
      assert.deepEqual(await streamPositions(db), await separate());
      await streams.putAccountData("@a:test.local", "", "m.test", { n: 1 });
      await e2ee.recordDeviceListChange(["@a:test.local"]);
      await e2ee.addToDevice({ userId: "@b:test.local", deviceId: "B", eventType: "m.test", txnId: "t1" },
        [{ userId: "@a:test.local", deviceId: "A", type: "m.test", content: {} }], 1);
      await e2ee.setFallbackKey("@a:test.local", "A", { algorithm: "signed_curve25519", keyId: "signed_curve25519:f", key: { key: "f" } });
      const now = await streamPositions(db);
      assert.deepEqual(now, await separate());
      assert.ok(now.oneTimeKeys > 0, "the key-change position moved");
      assert.ok(now.accountData > 0 && now.deviceLists > 0 && now.toDevice > 0, JSON.stringify(now));
    });

    it("keysForSync equals countOneTimeKeys + unusedFallbackAlgorithms", async () => {
      const e2ee = new E2eeStore({ db });
      const [u, d] = ["@k:test.local", "K"];
      const key = (algorithm: string, id: string) => ({ algorithm, keyId: `${algorithm}:${id}`, key: { key: id } });
      await e2ee.addOneTimeKeys(u, d, [key("signed_curve25519", "a"), key("signed_curve25519", "b"), key("curve25519", "c")]);
      await e2ee.setFallbackKey(u, d, key("signed_curve25519", "f"));
      await e2ee.setFallbackKey(u, d, key("curve25519", "g"));
      const keys = await e2ee.keysForSync(u, d);
      assert.deepEqual(keys, { oneTimeCounts: await e2ee.countOneTimeKeys(u, d), unusedFallback: await e2ee.unusedFallbackAlgorithms(u, d) });
      assert.deepEqual(keys, { oneTimeCounts: { signed_curve25519: 2, curve25519: 1 }, unusedFallback: ["curve25519", "signed_curve25519"] });
      assert.deepEqual(await e2ee.keysForSync(u, "other"), { oneTimeCounts: {}, unusedFallback: [] });
    });

    it("every change to one-time or fallback keys moves the key-change position (/sync keeps counts while it stays)", async () => {
      const e2ee = new E2eeStore({ db });
      const [u, d] = ["@m:test.local", "M"];
      const key = (id: string) => ({ algorithm: "signed_curve25519", keyId: `signed_curve25519:${id}`, key: { key: id } });
      let last = await e2ee.keysHead();
      const moves = async (what: string, change: () => Promise<unknown>): Promise<void> => {
        await change();
        const now = (await streamPositions(db)).oneTimeKeys;
        assert.ok(now > last, `${what}: ${last} -> ${now}`);
        last = now;
      };
      await moves("upload", () => e2ee.addOneTimeKeys(u, d, [key("a")]));
      await moves("fallback upload", () => e2ee.setFallbackKey(u, d, key("f")));
      await moves("claim of a one-time key", () => e2ee.claimKey(u, d, "signed_curve25519"));
      await moves("claim of the fallback key", () => e2ee.claimKey(u, d, "signed_curve25519"));
      await e2ee.addOneTimeKeys(u, d, [key("b")]);
      last = await e2ee.keysHead();
      await moves("device removed", () => e2ee.pruneRemovedDevices(u));
      assert.deepEqual(await e2ee.keysForSync(u, d), { oneTimeCounts: {}, unusedFallback: [] });
    });
  });
}

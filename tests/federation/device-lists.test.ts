// Device-list updates between councils: each device of a local user is announced with its keys,
// a deleted device with `deleted: true`, chained by prev_id; the other council's users see the
// change in /sync device_lists.changed.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { api, ed25519, login, signObject, syncOnce, TestDevice, type Ed25519, type Json } from "../e2ee-helpers.ts";

function csKey(userId: string, usage: string, key: Ed25519, signer?: Ed25519): Json {
  const k = { user_id: userId, usage: [usage], keys: { [`ed25519:${key.pub}`]: key.pub } };
  return signer ? signObject(k, userId, `ed25519:${signer.pub}`, signer) : k;
}

type Agent = Awaited<ReturnType<typeof registerUser>>;

/** `local` (registered on a.test) makes a public room, and `remote` (on b.test) joins it over federation. */
async function sharedRoom(fed: TestFederation, local: string, remote: string): Promise<{ a: string; b: string; local: Agent; remote: Agent }> {
  const a = fed.get("a.test").url;
  const b = fed.get("b.test").url;
  const l = await registerUser(a, local);
  const r = await registerUser(b, remote);
  const { room_id: roomId } = await call<{ room_id: string }>(a, l, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
  await call(b, r, "POST", `/_matrix/client/v3/join/${enc(roomId)}?via=a.test`, {});
  return { a, b, local: l, remote: r };
}

describe("device lists across councils", function () {
  this.timeout(60_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("announces new and deleted devices, and the other council's users see the change", async () => {
    fed = await startFederation(["a.test", "b.test"]);
    const { a, b, local: alice, remote: bob } = await sharedRoom(fed, "alice", "bob");
    const since = String((await syncOnce(b, bob))["next_batch"]);

    const sender = fed.get("a.test").hs!.context.federation!.sender;
    sender.pause();
    const second = await login(a, alice.userId);
    const dev = new TestDevice(second);
    assert.equal((await api(a, second, "POST", "/keys/upload", { device_keys: dev.deviceKeys() })).status, 200);
    assert.equal((await api(a, second, "POST", "/logout", {})).status, 200);
    const outbox = await fed.get("a.test").hs!.context.db.all<{ json: string }>("SELECT json FROM federation_outbox WHERE destination = 'b.test' AND kind = 'edu' ORDER BY id");
    const updates = outbox.map((r) => JSON.parse(r.json) as { edu_type: string; content: { device_id: string; deleted?: boolean; stream_id: number; prev_id: number[]; keys?: unknown } })
      .filter((e) => e.edu_type === "m.device_list_update").map((e) => e.content);
    const forSecond = updates.filter((u) => u.device_id === second.deviceId);
    assert.ok(forSecond.some((u) => u.keys !== undefined), "the new device is announced with its keys");
    assert.equal(forSecond.at(-1)?.deleted, true, "its deletion is announced");
    for (let i = 1; i < updates.length; i++) {
      assert.deepEqual(updates[i]?.prev_id, [updates[i - 1]?.stream_id], "each update names the previous one");
    }
    sender.resume();
    await waitFor("bob's sync lists alice as changed", async () => {
      const s = await syncOnce(b, bob, since);
      const changed = ((s["device_lists"] as { changed?: string[] }).changed ?? []);
      return changed.includes(alice.userId) || undefined;
    });
  });

  // Verifying a person of another council: the signature of their master key stays on the signer's
  // server (only the signer may see it), is merged into the signer's /keys/query answers and wakes
  // the signer's sync with the person in device_lists.changed, so their clients re-query and see
  // the person verified.
  it("keeps a signature of a remote user's master key for the signer, who sees it in /keys/query and /sync", async () => {
    const { a, b, local: carol, remote: dave } = await sharedRoom(fed, "carol", "dave");
    const [carolMaster, carolUsk, daveMaster] = [ed25519(), ed25519(), ed25519()];
    await api(a, carol, "POST", "/keys/device_signing/upload", { master_key: csKey(carol.userId, "master", carolMaster), user_signing_key: csKey(carol.userId, "user_signing", carolUsk, carolMaster) });
    await api(b, dave, "POST", "/keys/device_signing/upload", { master_key: csKey(dave.userId, "master", daveMaster) });
    const since = String((await syncOnce(a, carol))["next_batch"]);
    const signed = signObject(csKey(dave.userId, "master", daveMaster), carol.userId, `ed25519:${carolUsk.pub}`, carolUsk);
    assert.deepEqual((await api(a, carol, "POST", "/keys/signatures/upload", { [dave.userId]: { [daveMaster.pub]: signed } })).body, { failures: {} });
    const seen = (await api(a, carol, "POST", "/keys/query", { device_keys: { [dave.userId]: [] } })).body as { master_keys: Record<string, { signatures: Record<string, Record<string, string>> }> };
    assert.ok(seen.master_keys[dave.userId]?.signatures[carol.userId]?.[`ed25519:${carolUsk.pub}`], "the signer sees her signature on the remote master key");
    await waitFor("carol's sync lists dave as changed", async () => {
      const s = await syncOnce(a, carol, since);
      return ((s["device_lists"] as { changed?: string[] } | undefined)?.changed ?? []).includes(dave.userId) || undefined;
    });
    const byDave = (await api(b, dave, "POST", "/keys/query", { device_keys: { [dave.userId]: [] } })).body as { master_keys: Record<string, { signatures?: Record<string, unknown> }> };
    assert.equal(byDave.master_keys[dave.userId]?.signatures?.[carol.userId], undefined, "not shown to anyone else");
  });
});

import * as sdk from "matrix-js-sdk";
import { startTestHomeserver } from "./harness/homeserver.ts";
import { newClient, startSyncing } from "./harness/matrix-client.ts";
describe("scratch", function () {
  this.timeout(60000);
  it("x", async () => {
    const server = await startTestHomeserver({});
    const bob = await newClient(server.url, "bob");
    await bob.client.initRustCrypto({ useIndexedDB: false });
    await startSyncing(bob.client);
    const c = bob.client.getCrypto()!;
    await c.bootstrapCrossSigning({ authUploadDeviceSigningKeys: async (mr) => { await mr(null); } });
    console.log("STATUS1", JSON.stringify(await c.getCrossSigningStatus()), await c.isCrossSigningReady());
    const id = await (c as any).getOwnIdentity(); console.log("verified?", id?.isVerified());
    await c.bootstrapCrossSigning({ setupNewCrossSigning: true, authUploadDeviceSigningKeys: async (mr) => { try { await mr(null); } catch (e: any) { console.log("UIA", JSON.stringify(e.data)); await mr({ type: "m.login.password", identifier: { type: "m.id.user", user: bob.userId }, password: "correct horse battery staple", session: e.data.session } as any); } } });
    console.log("STATUS-after-reset", JSON.stringify(await c.getCrossSigningStatus()), await c.isCrossSigningReady());
    const id2 = await (c as any).getOwnIdentity(); console.log("verified2?", id2?.isVerified(), id2?.masterKey);
    await new Promise((r) => setTimeout(r, 3000));
    console.log("STATUS2", JSON.stringify(await c.getCrossSigningStatus()), await c.isCrossSigningReady());
    const q = await fetch(`${server.url}/_matrix/client/v3/keys/query`, { method: "POST", headers: { Authorization: `Bearer ${bob.accessToken}` }, body: JSON.stringify({ device_keys: { [bob.userId]: [] } }) });
    console.log("QUERY", JSON.stringify(await q.json(), null, 1));
    bob.client.stopClient(); await server.stop();
  });
});

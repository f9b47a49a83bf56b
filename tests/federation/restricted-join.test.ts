// Restricted rooms across councils: members of an allowed room (say, the agglomeration's space)
// join without an invite, vouched for by a resident user; others are refused with a clear error.
import assert from "node:assert/strict";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc, ApiError } from "../harness/client-api.ts";

describe("restricted rooms across councils", function () {
  this.timeout(60_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  it("lets members of the allowed room join, locally and from another council, and refuses others", async () => {
    fed = await startFederation(["agglo.test", "commune.test"]);
    const a = fed.get("agglo.test").url;
    const b = fed.get("commune.test").url;
    const admin = await registerUser(a, "admin");
    const local = await registerUser(a, "agent");
    const bob = await registerUser(b, "bob");
    const carol = await registerUser(b, "carol");
    const { room_id: space } = await call<{ room_id: string }>(a, admin, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat", name: "Espace agglomération" });
    const { room_id: group } = await call<{ room_id: string }>(a, admin, "POST", "/_matrix/client/v3/createRoom", {
      name: "Groupe de travail mobilité",
      initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: space }] } }],
    });
    // not in the space yet: refused
    const refusedLocal = await call(a, local, "POST", `/_matrix/client/v3/join/${enc(group)}`, {}).catch((e: ApiError) => e);
    assert.equal((refusedLocal as ApiError).status, 403);
    await call(a, local, "POST", `/_matrix/client/v3/join/${enc(space)}`, {});
    await call(a, local, "POST", `/_matrix/client/v3/join/${enc(group)}`, {});
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(space)}?via=agglo.test`, {});
    await call(b, bob, "POST", `/_matrix/client/v3/join/${enc(group)}?via=agglo.test`, {});
    const refused = await call(b, carol, "POST", `/_matrix/client/v3/join/${enc(group)}?via=agglo.test`, {}).catch((e: ApiError) => e);
    assert.equal((refused as ApiError).status, 403);
    await waitFor("both joined on A", async () => {
      const m = await call<{ joined: Record<string, unknown> }>(a, admin, "GET", `/_matrix/client/v3/rooms/${enc(group)}/joined_members`);
      return local.userId in m.joined && bob.userId in m.joined || undefined;
    });
    const members = await call<{ chunk: { state_key: string; content: Record<string, unknown> }[] }>(a, admin, "GET", `/_matrix/client/v3/rooms/${enc(group)}/members`);
    const bobJoin = members.chunk.find((e) => e.state_key === bob.userId);
    assert.match(String(bobJoin?.content["join_authorised_via_users_server"]), /:agglo\.test$/, "vouched for by a user of the resident council");
  });
});

// Cross-council chat through `entente start`: two councils made by `entente init` (private CA,
// allow_list, host_map), one matrix-js-sdk user on each; a room created on ville-a, the agglo-b
// user invited over federation, joins, and both exchange a message.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sdk from "matrix-js-sdk";
import { entente, freePortBlock, spawnEntente, type RunningCli } from "./harness/entente-cli.ts";
import { waitFor } from "./harness/homeserver.ts";
import { startSyncing } from "./harness/matrix-client.ts";

const bodies = (room: sdk.Room | null): string[] =>
  (room?.getLiveTimeline().getEvents() ?? []).filter((e) => e.getType() === "m.room.message").map((e) => String(e.getContent()["body"]));

async function login(port: number, user: string, password: string): Promise<sdk.MatrixClient> {
  const res = await fetch(`http://127.0.0.1:${port}/_matrix/client/v3/login`, {
    method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password }),
  });
  const body = (await res.json()) as { user_id: string; access_token: string; device_id: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  return sdk.createClient({ baseUrl: `http://127.0.0.1:${port}`, userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id });
}

describe("cross-council chat through `entente start`", function () {
  this.timeout(120_000);
  let root: string;
  let run: RunningCli;
  let alice: sdk.MatrixClient;
  let bob: sdk.MatrixClient;
  let base: number;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "entente-fed-chat-"));
    base = await freePortBlock(8);
    const dir = join(root, "fed");
    assert.equal(entente(["init", dir, "--council", "ville-a", "--council", "agglo-b", "--base-port", String(base)]).code, 0);
    for (const [council, user] of [["ville-a", "alice"], ["agglo-b", "bob"]] as const) {
      const r = entente(["user", "add", "--config", join(dir, council, "homeserver.yaml"), user, "--password-file", "-"], { input: "secret-pw-42" });
      assert.equal(r.code, 0, r.stderr);
    }
    run = spawnEntente(["start", dir]);
    const out = await run.waitFor(/Entente is running/);
    assert.match(out, /https:\/\/127\.0\.0\.1:\d+ \(up\)[\s\S]*https:\/\/127\.0\.0\.1:\d+ \(up\)/, "both federation listeners answer");
    alice = await login(base, "alice", "secret-pw-42");
    bob = await login(base + 4, "bob", "secret-pw-42");
    await startSyncing(alice);
    await startSyncing(bob);
  });
  after(async () => {
    alice?.stopClient();
    bob?.stopClient();
    if (run !== undefined) {
      run.child.kill("SIGTERM");
      await run.exit;
    }
    rmSync(root, { recursive: true, force: true });
  });

  it("creates a room on ville-a, invites @bob:agglo-b.localhost, who joins; both exchange a message", async () => {
    const bobId = "@bob:agglo-b.localhost";
    const { room_id: roomId } = await alice.createRoom({ name: "Comité intercommunal", preset: sdk.Preset.PublicChat, invite: [bobId] });
    await waitFor("bob's invite over federation", () => bob.getRoom(roomId)?.getMyMembership() === "invite" || undefined, 30_000);
    await bob.joinRoom(roomId);
    await waitFor("bob joined, seen by alice", () => alice.getRoom(roomId)?.getMember(bobId)?.membership === "join" || undefined, 30_000);
    await alice.sendTextMessage(roomId, "Bonjour de la ville A");
    await waitFor("alice's message at agglo-b", () => bodies(bob.getRoom(roomId)).includes("Bonjour de la ville A") || undefined, 30_000);
    await bob.sendTextMessage(roomId, "Bonjour de l'agglo B");
    await waitFor("bob's message at ville-a", () => bodies(alice.getRoom(roomId)).includes("Bonjour de l'agglo B") || undefined, 30_000);
    assert.equal(bob.getRoom(roomId)?.name, "Comité intercommunal");

    // The admin commands see it too, on both sides.
    for (const council of ["ville-a", "agglo-b"]) {
      const rooms = entente(["room", "list", "--config", join(root, "fed", council, "homeserver.yaml")]);
      assert.equal(rooms.code, 0, rooms.stderr);
      assert.match(rooms.stdout, new RegExp(`${roomId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+Comité intercommunal\\s+\\S*\\s+\\S+\\s+2\\s`));
    }
    const status = entente(["federation", "status", "--config", join(root, "fed", "ville-a", "homeserver.yaml")]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /agglo-b\.localhost\s+0\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d/, "nothing queued, a last success");
  });
});

// The web client in Chromium: an agent restores history on a new device with the recovery key
// BEFORE the first device's room key reached the backup (its PUT /room_keys/keys is held). The
// restored device shows the message as undecryptable; once the upload goes through, it shows the
// text without a reload (the client looks at the backup again while undecryptable messages remain).
import assert from "node:assert/strict";
import { waitFor } from "../harness/homeserver.ts";
import { clientApi, message, saveRecoveryKey, signIn, useCouncilsClient } from "../harness/client-pages.ts";

const A = "ville-a.test";

describe("web client in Chromium: a room key that reaches the backup after the restore", function () {
  this.timeout(240_000);
  const app = useCouncilsClient([A], { users: { bob: A } });

  it("the restored device shows the message once its key is in the backup, without a reload", async () => {
    const bob = await app.newPage();
    await signIn(bob, app.web.url, undefined, "bob");
    const bobKey = await saveRecoveryKey(bob);

    // Every upload of room keys from this first device waits until released.
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => { release = r; });
    let held = 0;
    await bob.route("**/_matrix/client/v3/room_keys/keys**", async (route) => {
      if (route.request().method() !== "PUT") return route.continue();
      held++;
      await released;
      await route.continue();
    });

    const session = JSON.parse((await bob.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken: string };
    const url = app.fed.get(A).url;
    const initial_state = [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }];
    const { room_id: roomId } = (await clientApi(url, session, "POST", "/createRoom", { name: "Urbanisme", preset: "private_chat", initial_state })) as { room_id: string };
    await bob.getByRole("link", { name: /Urbanisme/ }).click({ timeout: 30_000 });
    await bob.getByLabel("Écrire un message").fill("Permis de construire accordé");
    await bob.getByLabel("Écrire un message").press("Enter");
    await waitFor("the message encrypted on the server", async () => {
      const page = await clientApi(url, session, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`);
      return (page["chunk"] as { type: string }[]).some((e) => e.type === "m.room.encrypted") ? true : undefined;
    }, 30_000);
    // The SDK backs keys up after a random delay of up to 10 s: its upload is caught by the route.
    await waitFor("the first device's key upload, held", () => (held > 0 ? true : undefined), 30_000);
    const backup = await clientApi(url, session, "GET", "/room_keys/keys?version=1");
    assert.deepEqual(backup["rooms"] ?? {}, {}, "nothing in the backup yet");

    // A new device restores now: the backup has no key for the message.
    const bob2 = await app.newPage();
    const askedBackup: string[] = [];
    bob2.on("response", (r) => { if (r.url().includes("/room_keys/keys/")) askedBackup.push(`${r.request().method()} ${r.status()}`); });
    await signIn(bob2, app.web.url, undefined, "bob");
    await bob2.getByRole("heading", { name: "Relire vos messages chiffrés" }).waitFor({ timeout: 60_000 });
    await bob2.getByLabel("Clé de récupération").fill(bobKey);
    await bob2.getByRole("button", { name: "Restaurer" }).click();
    await bob2.getByRole("link", { name: /Urbanisme/ }).click({ timeout: 30_000 });
    await message(bob2, "la clé n'est pas encore arrivée sur cet appareil").waitFor({ timeout: 30_000 });
    // The SDK asked the backup for this session and got "not found".
    await waitFor("the restored device's request for the missing key", () => (askedBackup.includes("GET 404") ? true : undefined), 30_000);
    assert.equal(await message(bob2, "Permis de construire accordé").count(), 0, "not readable yet");

    // The upload goes through: the restored device reads the message, same page.
    release();
    await waitFor("the key in the backup", async () => {
      const b = await clientApi(url, session, "GET", "/room_keys/keys?version=1");
      return (b["rooms"] as Record<string, unknown> | undefined)?.[roomId] !== undefined ? true : undefined;
    }, 30_000);
    await message(bob2, "Permis de construire accordé").waitFor({ timeout: 90_000 });
    assert.equal(await message(bob2, "la clé n'est pas encore arrivée sur cet appareil").count(), 0, "no undecryptable message left");
    await bob.unrouteAll({ behavior: "ignoreErrors" });
  });
});

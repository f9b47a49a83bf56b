// Acceptance of the tasks bot (appservices/tasks) on two federated councils: an encrypted room with
// an agent of each council and ville-a's tasks bot. A task created by an agent of A is assigned to
// an agent of B and the bot answers in the command's thread; the task root reads as text in a
// plain matrix-js-sdk client; reminders fire at the right Europe/Paris time across the spring DST
// change (injected clock), once, even across a restart, and one missed while the bot was down is
// sent at restart; bad task events are skipped and logged, and the bot carries on.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as sdk from "matrix-js-sdk";
import { startTasksBot, type RunningTasksBot } from "../../appservices/tasks/src/tasks-bot.ts";
import type { TestFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import type { TestClient } from "../harness/matrix-client.ts";
import { cryptoClient, sendRaw, startFederationWithBot, stopBotSuite } from "../harness/bot-federation.ts";

const BOT = "@entente-tasks:ville-a";


describe("tasks bot across two councils (encrypted room, injected clock)", function () {
  this.timeout(180_000);
  let dir: string;
  let fed: TestFederation;
  let alice: TestClient;
  let bob: TestClient;
  let bot: RunningTasksBot | undefined;
  let roomId: string;
  let registrationPath: string;
  let now = Date.parse("2027-03-20T09:00:00Z");
  const logs: Record<string, unknown>[] = [];
  let budgetRoot = "";

  const start = (): Promise<RunningTasksBot> => startTasksBot({
    registrationPath, homeserverUrl: fed.get("ville-a").url, domain: "ville-a", storeDir: join(dir, "tasks-bot"),
    clock: () => now, reminderTickMs: 3_600_000, log: (l) => { logs.push(l); if (process.env["BOT_LOG"]) console.error(JSON.stringify(l)); }, keyWaitMs: 10_000,
  });
  const timeline = (c: TestClient): sdk.MatrixEvent[] => c.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  const fromBot = (c: TestClient, pred: (content: Record<string, unknown>) => boolean): sdk.MatrixEvent[] =>
    timeline(c).filter((e) => e.getSender() === BOT && e.getType() === "m.room.message" && !e.isDecryptionFailure() && pred(e.getContent()));
  const relTo = (e: sdk.MatrixEvent): Record<string, unknown> => (e.getContent()["m.relates_to"] ?? {}) as Record<string, unknown>;
  const answerTo = (c: TestClient, eventId: string): Promise<sdk.MatrixEvent> =>
    waitFor(`the bot's answer to ${eventId}`, () => fromBot(c, (x) => ((x["m.relates_to"] ?? {}) as Record<string, unknown>)["m.in_reply_to"] !== undefined)
      .find((e) => (relTo(e)["m.in_reply_to"] as Record<string, unknown>)["event_id"] === eventId), 30_000);
  const logged = (msg: string): Record<string, unknown>[] => logs.filter((l) => l["msg"] === msg);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-tasks-bot-"));
    ({ fed, registration: { path: registrationPath } } = await startFederationWithBot(dir, "tasks", ["ville-a", "agglo-b"]));
    alice = await cryptoClient(fed.get("ville-a").url, "alice");
    bob = await cryptoClient(fed.get("agglo-b").url, "bob");
    bot = await start();
  });

  after(async () => {
    await stopBotSuite({ bots: [bot], clients: [alice, bob], fed, dir });
  });

  it("asks for the level it needs, and sets up the task list (fr.entente.tasks state + anchor) once given it", async () => {
    roomId = (await alice.client.createRoom({
      name: "Groupe de travail budget", invite: [BOT, bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })).room_id;
    await waitFor("bob's invite", () => bob.client.getRoom(roomId) ?? undefined, 30_000);
    await bob.client.joinRoom(roomId);
    const ask = await waitFor("the bot asks for moderator level", () => fromBot(alice, (c) => String(c["body"]).startsWith("Pour installer la liste de tâches, donnez-moi le niveau 50"))[0], 30_000);
    assert.equal(ask.isEncrypted(), true);
    await alice.client.setPowerLevel(roomId, BOT, 50);
    const state = await waitFor("the tasks state", (): Record<string, unknown> | undefined =>
      alice.client.getRoom(roomId)?.currentState.getStateEvents("fr.entente.tasks", "")?.getContent(), 30_000);
    assert.equal(state["version"], 1);
    assert.equal(state["bot"], BOT);
    const anchor = await waitFor("the anchor", () => timeline(alice).find((e) => e.getId() === state["anchor"] && !e.isDecryptionFailure()));
    assert.equal(anchor.getType(), "fr.entente.tasklist");
    assert.equal(anchor.isEncrypted(), true, "timeline events of the list are encrypted like the room");
    // Agents see the bot by a name, not as « entente-tasks » (invitations, senders, receipts).
    await waitFor("the bot's name in the room", () => (alice.client.getRoom(roomId)?.getMember(BOT)?.rawDisplayName === "Entente Tâches" ? true : undefined), 30_000);
  });

  it("creates a task from an agent of A assigned to an agent of B, answers in the command's thread", async () => {
    await waitFor("bob joined on alice's side", () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join" || undefined, 30_000);
    const cmd = (await alice.client.sendTextMessage(roomId, "!tâche Préparer le budget @bob:agglo-b pour le 28/03/2027 à 10h")).event_id;
    const answer = await answerTo(alice, cmd);
    assert.equal(relTo(answer)["rel_type"], "m.thread");
    assert.equal(relTo(answer)["event_id"], cmd);
    // Bob by his name (here his default one, « bob »), a pill to him in the HTML.
    assert.match(String(answer.getContent()["body"]), /^✅ Tâche créée : « Préparer le budget » — assignée à bob — échéance 28\/03\/2027 10:00 \(Europe\/Paris\), rappel la veille\. \(\$/);
    assert.equal(answer.getContent()["format"], "org.matrix.custom.html");
    assert.match(String(answer.getContent()["formatted_body"]), /assignée à <a href="https:\/\/matrix\.to\/#\/@bob:agglo-b">bob<\/a> — échéance/);
    assert.doesNotMatch(String(answer.getContent()["body"]), /Task created/, "!tâche: French only");
    assert.deepEqual(answer.getContent()["m.mentions"], { user_ids: ["@bob:agglo-b"] });
    // On the other council, in a plain matrix-js-sdk client: the root is a readable message.
    const root = await waitFor("bob decrypts the task root", () => fromBot(bob, (c) => c["msgtype"] === "fr.entente.task")[0], 30_000);
    budgetRoot = root.getId() ?? "";
    assert.equal(root.isEncrypted(), true);
    assert.equal(root.getContent()["body"], "📋 Tâche : Préparer le budget (échéance 28/03/2027 10:00) — pour @bob:agglo-b");
    const task = root.getContent()["fr.entente.task"] as Record<string, unknown>;
    assert.deepEqual(task["assignees"], ["@bob:agglo-b"]);
    assert.deepEqual(task["due"], { tzid: "Europe/Paris", value: "20270328T100000" });
    assert.deepEqual(task["reminders"], [{ before: "P1D" }]);
    const folded = bot?.rooms.get(roomId)?.fold().tasks.get(budgetRoot);
    assert.equal(folded?.title, "Préparer le budget");
    // A second task, for the restart below.
    const cmd2 = (await alice.client.sendTextMessage(roomId, "!task Compte rendu @bob:agglo-b by 31/03/2027 at 10:00")).event_id;
    // !task is English: so is the answer.
    assert.match(String((await answerTo(alice, cmd2)).getContent()["body"]), /^✅ Task created: “Compte rendu” — assigned to bob — due 31\/03\/2027 10:00 \(Europe\/Paris\), reminder the day before\. \(\$/);
  });

  it("reminds at 10:00 Paris the day before, across the DST change (09:00Z, not 08:00Z), once", async () => {
    now = Date.parse("2027-03-27T08:59:59Z");
    assert.equal(await bot?.checkReminders(), 0, "not yet at 09:59:59 Paris (winter time)");
    now = Date.parse("2027-03-27T09:00:00Z");
    assert.equal(await bot?.checkReminders(), 1);
    assert.equal(await bot?.checkReminders(), 0, "not twice");
    const reminder = await waitFor("bob sees the reminder", () => fromBot(bob, (c) => c["fr.entente.task.reminder"] !== undefined)[0], 30_000);
    assert.equal(relTo(reminder)["rel_type"], "m.thread");
    assert.equal(relTo(reminder)["event_id"], budgetRoot, "in the task's thread");
    assert.deepEqual(reminder.getContent()["m.mentions"], { user_ids: ["@bob:agglo-b"] });
    assert.match(String(reminder.getContent()["body"]), /bob : rappel, « Préparer le budget » arrive à échéance le 28\/03\/2027 10:00/);
    assert.match(String(reminder.getContent()["formatted_body"]), /<a href="https:\/\/matrix\.to\/#\/@bob:agglo-b">bob<\/a> : rappel/);
  });

  it("after a restart: no duplicate, and the reminder missed while stopped is sent once", async () => {
    await bot?.stop();
    bot = undefined;
    // While the bot is down, the second task's reminder time (30/03 10:00 Paris = 08:00Z) passes.
    now = Date.parse("2027-03-30T08:30:00Z");
    bot = await start();
    const room = bot.rooms.get(roomId);
    assert.equal(room?.fold().tasks.size, 2, "the list is rebuilt from the room");
    assert.equal(await bot.checkReminders(), 0, "the start already sent what was due");
    const sent = logged("reminder sent");
    assert.deepEqual(sent.map((l) => String(l["reminder"]).split("@")[1]), ["20270328T100000/Europe/Paris", "20270331T100000/Europe/Paris"]);
    await waitFor("bob sees the two reminders", () => (fromBot(bob, (c) => c["fr.entente.task.reminder"] !== undefined).length >= 2 ? true : undefined), 30_000);
    const cmd = (await alice.client.sendTextMessage(roomId, "!tâches")).event_id;
    const list = await answerTo(alice, cmd);
    assert.match(String(list.getContent()["body"]), /^Tâches ouvertes \(2\) :\n1\. Préparer le budget/);
    assert.equal(fromBot(bob, (c) => c["fr.entente.task.reminder"] !== undefined).length, 2, "one reminder per task");
  });

  it("marks a task done from its thread, by its assignee on the other council", async () => {
    const cmd = (await sendRaw(bob, roomId, "m.room.message", { msgtype: "m.text", body: "!fait", "m.relates_to": { rel_type: "m.thread", event_id: budgetRoot, is_falling_back: true, "m.in_reply_to": { event_id: budgetRoot } } })).event_id;
    const answer = await answerTo(bob, cmd);
    assert.match(String(answer.getContent()["body"]), /« Préparer le budget » est faite/);
    assert.equal(relTo(answer)["event_id"], budgetRoot, "answered in the task's thread");
    assert.equal(bot?.rooms.get(roomId)?.fold().tasks.get(budgetRoot)?.status, "done");
  });

  it("skips and logs malformed and unauthorised task events, and keeps answering", async () => {
    const before = logged("task event skipped").length;
    const anchor = bot?.rooms.get(roomId)?.config?.anchor ?? "";
    const second = [...(bot?.rooms.get(roomId)?.fold().tasks.values() ?? [])].find((t) => t.title === "Compte rendu")?.id ?? "";
    const bad = [
      await sendRaw(alice, roomId, "fr.entente.task.update", { version: 1, clock: "x", "m.relates_to": { rel_type: "m.reference", event_id: second } }),
      await sendRaw(alice, roomId, "m.room.message", { msgtype: "fr.entente.task", body: "futur", "fr.entente.task": { version: 99, title: "v99" }, "m.relates_to": { rel_type: "m.reference", event_id: anchor } }),
      // bob (level 0) may not delete a task he did not create (delete needs 50)
      await sendRaw(bob, roomId, "fr.entente.task.update", { version: 1, clock: 1000, delete: true, "m.relates_to": { rel_type: "m.reference", event_id: second } }),
      await sendRaw(alice, roomId, "m.room.message", { msgtype: "fr.entente.task", body: "x", "fr.entente.task": "not an object" }),
    ].map((r) => r.event_id);
    const skipped = await waitFor("the four events logged as skipped", () => {
      const s = logged("task event skipped").slice(before);
      return bad.every((id) => s.some((l) => l["event_id"] === id)) ? s : undefined;
    }, 30_000);
    const reason = (id: string | undefined): string => String(skipped.find((l) => l["event_id"] === id)?.["reason"]);
    assert.match(reason(bad[0]), /clock/);
    assert.match(reason(bad[1]), /version/);
    assert.match(reason(bad[2]), /below delete \(50\)/);
    assert.match(reason(bad[3]), /fr\.entente\.task/);
    const cmd = (await alice.client.sendTextMessage(roomId, "!tasks")).event_id;
    const list = await answerTo(alice, cmd);
    assert.match(String(list.getContent()["body"]), /^Open tasks \(1\):\n1\. Compte rendu — bob — due /, "the second task is still there, not deleted (!tasks: in English)");
    const unknown = (await alice.client.sendTextMessage(roomId, "!tâchez")).event_id;
    assert.match(String((await answerTo(alice, unknown)).getContent()["body"]), /Je ne connais pas la commande « !tâchez »/);
    const empty = (await alice.client.sendTextMessage(roomId, "!tâche @bob:agglo-b")).event_id;
    assert.match(String((await answerTo(alice, empty)).getContent()["body"]), /Il manque le titre/);
    assert.deepEqual(logged("command failed"), []);
  });

  it("reads times in the sender's m.tz profile field", async () => {
    const res = await fetch(`${fed.get("ville-a").url}/_matrix/client/v3/profile/${encodeURIComponent(alice.userId)}/m.tz`, {
      method: "PUT", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify({ "m.tz": "America/Cayenne" }),
    });
    assert.equal(res.status, 200);
    const cmd = (await alice.client.sendTextMessage(roomId, "!tâche Appel de Cayenne @bob:agglo-b le 02/04/2027 à 9h")).event_id;
    assert.match(String((await answerTo(alice, cmd)).getContent()["body"]), /échéance 02\/04\/2027 09:00 \(America\/Cayenne\)/);
    const task = [...(bot?.rooms.get(roomId)?.fold().tasks.values() ?? [])].find((t) => t.title === "Appel de Cayenne");
    assert.deepEqual(task?.due, { tzid: "America/Cayenne", value: "20270402T090000" });
  });
});

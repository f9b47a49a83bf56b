// The tasks bot's daily digest and "my tasks" (appservices/tasks/src/digest-service.ts) on a real
// homeserver with an injected clock: opt-in with !résumé activer (stored in the bot's account
// data), an encrypted DM opened by the bot, one digest per local day at 08:00 in the agent's m.tz
// (before and after the spring DST change in Paris; America/Cayenne for another agent), nothing
// repeated after a restart (the DM is the record), opt-out; !mes-tâches answers in the thread with
// this room's tasks in a shared room and every room's in the private conversation.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as sdk from "matrix-js-sdk";
import { startTasksBot, type RunningTasksBot } from "../../appservices/tasks/src/tasks-bot.ts";
import { buildTaskRoot, type TaskRootInput } from "../../appservices/protocol/src/task-root.ts";
import type { TestFederation } from "../harness/federation.ts";
import { waitFor } from "../harness/homeserver.ts";
import type { TestClient } from "../harness/matrix-client.ts";
import { cryptoClient, sendRaw, startFederationWithBot, stopBotSuite } from "../harness/bot-federation.ts";

const HS = "ville-a";
const BOT = `@entente-tasks:${HS}`;


describe("tasks bot: daily digest by DM and !mes-tâches (injected clock)", function () {
  this.timeout(240_000);
  let dir: string;
  let fed: TestFederation;
  let alice: TestClient;
  let bob: TestClient;
  let bot: RunningTasksBot | undefined;
  let registrationPath: string;
  let voirie: string;
  let budget: string;
  let aliceDm: string;
  let now = Date.parse("2027-03-27T06:00:00Z");
  const logs: Record<string, unknown>[] = [];

  const start = (): Promise<RunningTasksBot> => startTasksBot({
    registrationPath, homeserverUrl: fed.get(HS).url, domain: HS, storeDir: join(dir, "tasks-bot"),
    clock: () => now, reminderTickMs: 3_600_000, keyWaitMs: 10_000,
    log: (l) => { logs.push(l); if (process.env["BOT_LOG"]) console.error(JSON.stringify(l)); },
  });
  const events = (c: TestClient, roomId: string): sdk.MatrixEvent[] => c.client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
  const fromBot = (c: TestClient, roomId: string): sdk.MatrixEvent[] =>
    events(c, roomId).filter((e) => e.getSender() === BOT && e.getType() === "m.room.message" && !e.isDecryptionFailure());
  const digests = (c: TestClient, roomId: string): sdk.MatrixEvent[] => fromBot(c, roomId).filter((e) => e.getContent()["fr.entente.tasks.digest"] !== undefined);
  const answerTo = (c: TestClient, roomId: string, eventId: string): Promise<string> =>
    waitFor(`the bot's answer to ${eventId}`, () => fromBot(c, roomId).find((e) => ((e.getContent()["m.relates_to"] ?? {}) as Record<string, unknown>)["event_id"] === eventId)?.getContent()["body"] as string | undefined, 30_000);
  const command = async (c: TestClient, roomId: string, body: string): Promise<string> => answerTo(c, roomId, (await c.client.sendTextMessage(roomId, body)).event_id);
  const setTz = async (c: TestClient, tz: string): Promise<void> => {
    const res = await fetch(`${fed.get(HS).url}/_matrix/client/v3/profile/${encodeURIComponent(c.userId)}/m.tz`, {
      method: "PUT", headers: { Authorization: `Bearer ${c.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify({ "m.tz": tz }),
    });
    assert.equal(res.status, 200);
  };
  /** The room's task list, set up by the bot once it has the level. */
  const taskRoom = async (name: string, encrypted: boolean): Promise<{ roomId: string; anchor: string }> => {
    const { room_id: roomId } = await alice.client.createRoom({
      name, invite: [BOT, bob.userId], power_level_content_override: { users: { [BOT]: 50 } },
      ...(encrypted ? { initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }] } : {}),
    });
    await waitFor("bob's invite", () => bob.client.getRoom(roomId) ?? undefined, 30_000);
    await bob.client.joinRoom(roomId);
    const anchor = await waitFor("the task list", () => alice.client.getRoom(roomId)?.currentState.getStateEvents("fr.entente.tasks", "")?.getContent()["anchor"] as string | undefined, 30_000);
    return { roomId, anchor };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-tasks-digest-"));
    ({ fed, registration: { path: registrationPath } } = await startFederationWithBot(dir, "tasks", [HS]));
    alice = await cryptoClient(fed.get(HS).url, "alice");
    bob = await cryptoClient(fed.get(HS).url, "bob");
    await setTz(bob, "America/Cayenne");
    bot = await start();
  });

  after(async () => {
    await stopBotSuite({ bots: [bot], clients: [alice, bob], fed, dir });
  });

  it("sets up two rooms with tasks of alice and bob (one encrypted)", async () => {
    const v = await taskRoom("Voirie", true);
    const b = await taskRoom("Budget", false);
    voirie = v.roomId;
    budget = b.roomId;
    const task = (r: { roomId: string; anchor: string }, t: Omit<TaskRootInput, "anchor">) => sendRaw(alice, r.roomId, "m.room.message", buildTaskRoot({ anchor: r.anchor, ...t }));
    await task(v, { title: "Réparer la chaussée", assignees: [alice.userId], due: { date: "20270325" } });
    await task(v, { title: "Commander les panneaux", assignees: [alice.userId], due: { tzid: "Europe/Paris", value: "20270327T170000" } });
    await task(v, { title: "Tâche de bob", assignees: [bob.userId], due: { date: "20270327" } });
    await task(b, { title: "Voter le budget", assignees: [alice.userId], due: { date: "20270327" } });
    await task(b, { title: "Relire le budget", assignees: [alice.userId], due: { date: "20270415" } });
    await waitFor("the bot folded the five tasks", () => ((bot?.rooms.get(voirie)?.fold().tasks.size ?? 0) + (bot?.rooms.get(budget)?.fold().tasks.size ?? 0) === 5 ? true : undefined), 30_000);
  });

  it("is off by default; !résumé activer opens a DM and stores the choice in the bot's account data", async () => {
    assert.equal(await bot?.checkDigests(), 0, "nobody opted in");
    assert.match(await command(alice, voirie, "!résumé"), /Votre résumé quotidien est désactivé/);
    const on = await command(alice, voirie, "!résumé activer");
    assert.match(on, /Résumé quotidien activé : chaque jour à 08:00 \(Europe\/Paris\)/);
    aliceDm = await waitFor("the bot's DM invite", () => alice.client.getRooms().find((r) => r.getMyMembership() === "invite" && r.getDMInviter() === BOT)?.roomId, 30_000);
    await alice.client.joinRoom(aliceDm);
    const res = await fetch(`${fed.get(HS).url}/_matrix/client/v3/user/${encodeURIComponent(BOT)}/account_data/fr.entente.tasks.digest?user_id=${encodeURIComponent(BOT)}`, { headers: { Authorization: "Bearer as-tasks" } });
    assert.deepEqual(await res.json(), { version: 1, agents: { [alice.userId]: { enabled: true, dm: aliceDm } } });
    // !digest is English: so is the answer.
    assert.equal(await command(bob, budget, "!digest on"), "Daily digest on: every day at 08:00 (America/Cayenne) in our private conversation, your overdue tasks and today's.");
  });

  it("sends at 08:00 Paris winter time, once, with alice's overdue and today's tasks across rooms", async () => {
    now = Date.parse("2027-03-27T06:59:59Z");
    assert.equal(await bot?.checkDigests(), 0, "07:59:59 in Paris");
    now = Date.parse("2027-03-27T07:00:00Z");
    assert.equal(await bot?.checkDigests(), 1, "alice's; bob's Cayenne morning is four hours later");
    assert.equal(await bot?.checkDigests(), 0, "not twice");
    const digest = await waitFor("alice reads the digest", () => digests(alice, aliceDm)[0], 30_000);
    assert.equal(digest.isEncrypted(), true, "the DM is encrypted");
    assert.equal(digest.getContent()["body"], [
      "☀️ Résumé du 27/03/2027 — vos tâches en retard et du jour (your overdue tasks and today's) :",
      "En retard (overdue) — 1 :",
      "• Réparer la chaussée — Voirie — échéance 25/03/2027",
      "Aujourd'hui (today) — 2 :",
      "• Voter le budget — Budget — échéance 27/03/2027",
      "• Commander les panneaux — Voirie — échéance 27/03/2027 17:00 (Europe/Paris)",
    ].join("\n"));
    assert.deepEqual(digest.getContent()["fr.entente.tasks.digest"], { date: "20270327" });
    now = Date.parse("2027-03-27T11:00:00Z");
    assert.equal(await bot?.checkDigests(), 1, "bob's, at 08:00 in Cayenne");
  });

  it("sends at 08:00 Paris summer time the next day (06:00Z), and not again after a restart", async () => {
    now = Date.parse("2027-03-28T05:59:59Z");
    assert.equal(await bot?.checkDigests(), 0, "07:59:59 summer time");
    now = Date.parse("2027-03-28T06:00:00Z");
    assert.equal(await bot?.checkDigests(), 1);
    await waitFor("alice has two digests", () => (digests(alice, aliceDm).length === 2 ? true : undefined), 30_000);
    await bot?.stop();
    bot = undefined;
    now = Date.parse("2027-03-28T09:30:00Z");
    const startedAt = logs.length;
    bot = await start();
    assert.equal(logs.slice(startedAt).filter((l) => l["msg"] === "digest sent").length, 0, "the start sent nothing: 28/03 is in the DM");
    assert.equal(await bot.checkDigests(), 0);
    now = Date.parse("2027-03-29T06:00:00Z");
    assert.equal(await bot.checkDigests(), 1, "the next morning");
    await waitFor("alice has three digests", () => (digests(alice, aliceDm).length === 3 ? true : undefined), 30_000);
    assert.deepEqual(digests(alice, aliceDm).map((e) => (e.getContent()["fr.entente.tasks.digest"] as Record<string, unknown>)["date"]), ["20270327", "20270328", "20270329"]);
  });

  it("!mes-tâches: this room's tasks in a shared room, every room's in the DM; !résumé désactiver stops it", async () => {
    const here = await command(alice, voirie, "!mes-tâches");
    assert.match(here, /^Vos tâches ouvertes \(2\) :/);
    assert.match(here, /Réparer la chaussée — Voirie/);
    assert.doesNotMatch(here, /budget/i, "another room's titles stay out of this room");
    assert.match(here, /… et 2 dans d'autres salons/);
    const all = await command(alice, aliceDm, "!my-tasks");
    assert.match(all, /^Your open tasks \(4\):\nOverdue — /, "!my-tasks: in English");
    assert.match(all, /Relire le budget — Budget/);
    assert.doesNotMatch(all, /Tâche de bob/);
    assert.match(await command(alice, aliceDm, "!résumé désactiver"), /Résumé quotidien désactivé/);
    now = Date.parse("2027-03-30T11:00:00Z");
    assert.equal(await bot?.checkDigests(), 1, "bob's only");
    assert.deepEqual(logs.filter((l) => l["msg"] === "command failed" || l["msg"] === "digest failed"), []);
  });
});

// "Mes tâches" and the objectives dashboard in Chromium, on a real council. A plain matrix-js-sdk
// client with Rust crypto (alice) sets everything up with the protocol's builders: a working
// group (space) with an encrypted room and a clear one, each with a task list, objectives with a
// key result and linked tasks. Bob, in the web client, sees his tasks across both rooms grouped
// by due date, changes a status (a fr.entente.task.update alice decrypts and folds), opens the
// space's dashboard, sees the progress, adds a check-in, and exports the CSV.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as sdk from "matrix-js-sdk";
import type { Logger } from "matrix-js-sdk/lib/logger.js";
import type { Browser, Page } from "playwright-core";
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { OBJECTIVE_CHECKIN, OBJECTIVELIST_ANCHOR, OBJECTIVES_STATE, TASK_UPDATE, TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { foldObjectives } from "../../appservices/protocol/src/objective-fold.ts";
import { buildObjectiveRoot } from "../../appservices/protocol/src/objective-root.ts";
import { buildObjectivesState } from "../../appservices/protocol/src/objectives-state.ts";
import { parseRoomPowerLevels } from "../../appservices/protocol/src/power-levels.ts";
import { foldTasks } from "../../appservices/protocol/src/task-fold.ts";
import { buildTaskRoot, type TaskRootInput } from "../../appservices/protocol/src/task-root.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { buildTaskUpdate } from "../../appservices/protocol/src/task-update.ts";
import { icalDate, wallTimeAt, addDays } from "../../appservices/tasks/src/local-time.ts";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { startSyncing } from "../harness/matrix-client.ts";
import { launchChromium, screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient, type ServedClient } from "../../client/scripts/serve-client.ts";

/** The SDK's own logs (every encryption step) stay out of the test output. */
const quiet = (): Logger => {
  const none = (): void => undefined;
  const l: Logger = { trace: none, debug: none, info: none, warn: none, error: (...m: unknown[]) => console.error(...m), getChild: () => l };
  return l;
};

type Send = (roomId: string, type: string, content: Record<string, unknown>) => Promise<{ event_id: string }>;
type SendState = (roomId: string, type: string, content: Record<string, unknown>, stateKey: string) => Promise<{ event_id: string }>;

/** A calendar day counted from today in Paris, as an all-day due date. */
const day = (offset: number): { date: string } => ({ date: icalDate(addDays(wallTimeAt(Date.now(), "Europe/Paris"), offset)) });

describe("web client in Chromium: Mes tâches and the objectives dashboard", function () {
  this.timeout(240_000);
  let hs: TestHomeserver;
  let web: ServedClient;
  let browser: Browser;
  let alice: sdk.MatrixClient;
  let page: Page;
  let serverName: string;
  let bob: { userId: string; accessToken: string; deviceId: string };

  before(async () => {
    const [h, dist] = await Promise.all([startTestHomeserver(), ensureClientBuild()]);
    hs = h;
    const a = await registerUser(hs.url, "alice");
    serverName = a.userId.split(":")[1] ?? "";
    alice = sdk.createClient({ baseUrl: hs.url, userId: a.userId, accessToken: a.accessToken, deviceId: a.deviceId, logger: quiet() });
    await alice.initRustCrypto({ useIndexedDB: false });
    await startSyncing(alice);
    bob = await registerUser(hs.url, "bob");
    web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, councils: [{ id: "c", label: "Commune", serverName, homeserverUrl: hs.url }] });
    browser = await launchChromium();
  });
  after(async () => {
    alice?.stopClient();
    await browser?.close();
    await web?.close();
    await hs?.stop();
  });

  it("lists bob's tasks across rooms by due date, changes a status, shows objectives' progress, adds a check-in, exports CSV", async () => {
    const send = alice.sendEvent.bind(alice) as unknown as Send;
    const sendState = alice.sendStateEvent.bind(alice) as unknown as SendState;
    // The working group: a space with an encrypted room and a clear one; bob joins all three.
    const { room_id: spaceId } = await alice.createRoom({ name: "Groupe de travail Voirie", creation_content: { type: "m.space" }, invite: [bob.userId] });
    const { room_id: voirie } = await alice.createRoom({
      name: "Voirie", invite: [bob.userId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    const { room_id: budget } = await alice.createRoom({ name: "Budget", invite: [bob.userId] });
    for (const r of [voirie, budget]) await sendState(spaceId, "m.space.child", { via: [serverName] }, r);
    for (const r of [spaceId, voirie, budget]) {
      const res = await fetch(`${hs.url}/_matrix/client/v3/join/${encodeURIComponent(r)}`, { method: "POST", headers: { Authorization: `Bearer ${bob.accessToken}`, "Content-Type": "application/json" }, body: "{}" });
      assert.equal(res.status, 200);
    }

    // Bob's web client, signed in (saved session); once its device has published its keys, alice's
    // encrypted events are shared with it.
    const ctx = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
    const session = JSON.stringify({ baseUrl: hs.url, userId: bob.userId, accessToken: bob.accessToken, deviceId: bob.deviceId });
    await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    page = await ctx.newPage();
    // How the lists are read: history reads (/messages filtered on the list's types) and relations.
    const historyReads: string[] = [];
    const relationReads: string[] = [];
    page.on("request", (r) => {
      const url = decodeURIComponent(r.url());
      if (url.includes("/messages?") && url.includes(TASK_UPDATE)) historyReads.push(url);
      if (url.includes("/relations/")) relationReads.push(url);
    });
    await page.goto(web.url);
    const nav = page.getByRole("navigation", { name: "Tâches et objectifs" });
    await nav.getByRole("link", { name: "Mes tâches" }).waitFor({ timeout: 90_000 });
    await waitFor("bob's browser device keys", async () => {
      const devices = await alice.getCrypto()?.getUserDeviceInfo([bob.userId], true);
      return devices?.get(bob.userId)?.has(bob.deviceId) ? true : undefined;
    }, 60_000);

    // Alice sets up the lists with the protocol's builders (encrypted in Voirie, clear in Budget).
    const lists = new Map<string, string>();
    for (const r of [voirie, budget]) {
      const anchor = (await send(r, TASKLIST_ANCHOR, buildAnchor("Tâches"))).event_id;
      await sendState(r, TASKS_STATE, buildTasksState({ anchor }), "");
      lists.set(r, anchor);
    }
    const objAnchor = (await send(voirie, OBJECTIVELIST_ANCHOR, buildAnchor("Objectifs"))).event_id;
    await sendState(voirie, OBJECTIVES_STATE, buildObjectivesState({ anchor: objAnchor }), "");
    const objective = (await send(voirie, "m.room.message", buildObjectiveRoot({
      anchor: objAnchor, title: "Sécuriser les routes", owner: alice.getSafeUserId(),
      keyResults: [{ id: "km", title: "Km rénovés", unit: "km", start: 0, target: 10 }],
    }))).event_id;
    const task = async (roomId: string, t: Omit<TaskRootInput, "anchor">): Promise<string> =>
      (await send(roomId, "m.room.message", buildTaskRoot({ anchor: lists.get(roomId) ?? "", ...t }))).event_id;
    const chaussee = await task(voirie, { title: "Réparer la chaussée", assignees: [bob.userId], due: day(-2), objective });
    await task(voirie, { title: "Poser les barrières", assignees: [alice.getSafeUserId()], status: "done", objective });
    await task(voirie, { title: "Commander les panneaux", assignees: [bob.userId], due: day(0) });
    const relire = await task(budget, { title: "Relire le budget", assignees: [bob.userId, alice.getSafeUserId()], due: day(30) });
    await task(budget, { title: "Archiver les devis", assignees: [bob.userId] });
    await task(budget, { title: "Tâche d'alice seule", assignees: [alice.getSafeUserId()], due: day(0) });
    // Budget's list outgrows one page of relations (1,000 on this server): the client reads it
    // from the room's history back to the anchor instead (1.3× faster than recursive relations at
    // 2,000 tasks in a room holding only the list, tests/bench/tasks-list-fetch.ts); an update must come along. Sent over plain
    // HTTP, 20 at a time (the room is not encrypted).
    const budgetAnchor = lists.get(budget) ?? "";
    for (let i = 0; i < 1000; i += 20) {
      await Promise.all(Array.from({ length: 20 }, async (_, j) => {
        const res = await fetch(`${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(budget)}/send/m.room.message/devis-${i + j}`, {
          method: "PUT", headers: { Authorization: `Bearer ${alice.getAccessToken() ?? ""}`, "Content-Type": "application/json" },
          body: JSON.stringify(buildTaskRoot({ anchor: budgetAnchor, title: `Devis ${i + j}`, assignees: [alice.getSafeUserId()] })),
        });
        assert.equal(res.status, 200);
      }));
    }
    await send(budget, TASK_UPDATE, buildTaskUpdate({ root: relire, clock: 1, set: { title: "Relire le budget 2027" } }));

    // "Mes tâches": bob's open tasks of both rooms, grouped, with their room.
    await nav.getByRole("link", { name: "Mes tâches" }).click();
    const main = page.getByRole("main");
    await main.getByRole("heading", { name: "Mes tâches", level: 1 }).waitFor();
    const group = (name: RegExp) => main.locator("section").filter({ has: page.getByRole("heading", { name }) });
    await group(/^En retard \(1\)$/).getByText("Réparer la chaussée").waitFor({ timeout: 60_000 });
    await group(/^Aujourd'hui \(1\)$/).getByText("Commander les panneaux").waitFor({ timeout: 60_000 });
    await group(/^Plus tard \(1\)$/).getByText("Relire le budget 2027").waitFor({ timeout: 60_000 });
    await group(/^Sans échéance \(1\)$/).getByText("Archiver les devis").waitFor({ timeout: 60_000 });
    assert.equal(await main.getByText("Tâche d'alice seule").count(), 0, "not assigned to bob");
    assert.ok(historyReads.some((u) => u.includes(budget)), "Budget's large list was read from its history");
    assert.ok(!historyReads.some((u) => u.includes(voirie)), "Voirie's small list through relations");
    const anchors = [...lists.values(), objAnchor];
    assert.deepEqual(relationReads.filter((u) => !anchors.some((a) => u.includes(`/relations/${a}/`))), [], "no request per task: only the anchors' relations");
    assert.ok(relationReads.some((u) => u.includes(`/relations/${lists.get(voirie) ?? ""}/`) && u.includes("recurse=true")), "Voirie's list through recursive relations");
    assert.equal(await main.getByText("Poser les barrières").count(), 0);
    const late = group(/^En retard/).locator("li").filter({ hasText: "Réparer la chaussée" });
    assert.equal(await late.getByRole("link", { name: "Ouvrir le salon Voirie" }).getAttribute("href"), `#/room/${encodeURIComponent(voirie)}`);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "tasks-my-tasks");
    // Live: a task alice assigns now (encrypted room) joins the open view from the synced
    // timeline, without fetching the lists again.
    let relationRequests = 0;
    page.on("request", (r) => { if (r.url().includes("/relations/")) relationRequests++; });
    await task(voirie, { title: "Baliser le chantier", assignees: [bob.userId], due: day(0) });
    await group(/^Aujourd'hui \(2\)$/).getByText("Baliser le chantier").waitFor({ timeout: 60_000 });
    assert.equal(relationRequests, 0, "folded from the cached list plus the live event");

    // The dashboard of the working group: key result 0/10, one linked task of two done → 25 %.
    await nav.getByRole("link", { name: "Objectifs" }).click();
    await page.getByRole("heading", { name: "Objectifs — Groupe de travail Voirie" }).waitFor({ timeout: 60_000 }); // the only group: opened directly
    const card = page.locator("article").filter({ has: page.getByRole("heading", { name: "Sécuriser les routes" }) });
    await card.getByText("Progression : 25 %").waitFor({ timeout: 60_000 });
    await card.getByText("Tâches liées (1 sur 2 faites)").waitFor();
    await page.locator("ul.overdue").getByText("Réparer la chaussée").waitFor();

    // A check-in of 5 km: key result 50 %, overall (50 + 50) / 2.
    await card.getByLabel("Nouvelle valeur pour « Km rénovés »").fill("5");
    await card.getByRole("button", { name: "Ajouter un point d'étape" }).click();
    await card.getByText("Progression : 50 %").waitFor({ timeout: 60_000 });
    await card.getByText("5 / 10 km").waitFor();
    const checkin = await waitFor("alice decrypts bob's check-in", () => alice.getRoom(voirie)?.getLiveTimeline().getEvents()
      .find((e) => e.getType() === OBJECTIVE_CHECKIN && e.getSender() === bob.userId), 30_000);
    assert.equal(checkin.isEncrypted(), true);
    assert.equal(checkin.getContent()["value"], 5);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "tasks-objectives");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Exporter en CSV" }).click()]);
    assert.equal(download.suggestedFilename(), "objectifs-Groupe-de-travail-Voirie.csv");
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a byte-order mark");
    const lines = bytes.toString("utf8").slice(1).split("\r\n");
    assert.equal(lines[0], "Salon;Objectif;Ligne;Intitulé;Statut;Responsable ou assignés;Période ou échéance;Valeur;Départ;Cible;Unité;Progression (%)");
    assert.ok(lines.includes(`Voirie;Sécuriser les routes;Objectif;Sécuriser les routes;on_track;'${alice.getSafeUserId()};;;;;;50`), lines.join("\n"));
    assert.ok(lines.includes("Voirie;Sécuriser les routes;Résultat clé;Km rénovés;;;;5;0;10;km;50"), lines.join("\n"));
    assert.ok(lines.includes(`Voirie;Sécuriser les routes;Tâche liée;Réparer la chaussée;todo;'${bob.userId};${day(-2).date.slice(6, 8)}/${day(-2).date.slice(4, 6)}/${day(-2).date.slice(0, 4)};;;;;0`), lines.join("\n"));

    // Back to "Mes tâches": bob marks the overdue task done; it leaves his list, alice's fold agrees,
    // and the dashboard counts it (tasks 2/2, key result 50 % → 75 %).
    await nav.getByRole("link", { name: "Mes tâches" }).click();
    await page.getByRole("combobox", { name: "Statut de « Réparer la chaussée »" }).selectOption({ label: "Faite" });
    await page.getByRole("status").getByText("« Réparer la chaussée » : Faite").waitFor({ timeout: 30_000 });
    await main.locator("li").filter({ hasText: "Réparer la chaussée" }).waitFor({ state: "detached", timeout: 30_000 });
    const update = await waitFor("alice decrypts bob's update", () => alice.getRoom(voirie)?.getLiveTimeline().getEvents()
      .find((e) => e.getType() === TASK_UPDATE && e.getSender() === bob.userId), 30_000);
    assert.equal(update.isEncrypted(), true);
    assert.deepEqual(update.getContent()["set"], { status: "done" });
    const raw = (alice.getRoom(voirie)?.getLiveTimeline().getEvents() ?? []).map((e) => ({ event_id: e.getId(), type: e.getType(), sender: e.getSender(), origin_server_ts: e.getTs(), content: e.getContent() }));
    const levels = parseRoomPowerLevels(alice.getRoom(voirie)?.currentState.getStateEvents("m.room.power_levels", "")?.getContent());
    assert.equal(foldTasks({ events: raw, levels }).tasks.get(chaussee)?.status, "done", "alice's fold of the same room agrees");
    assert.equal(foldObjectives({ events: raw, levels }).objectives.get(objective)?.current["km"]?.value, 5);
    await nav.getByRole("link", { name: "Objectifs" }).click();
    await page.getByRole("heading", { name: "Objectifs — Groupe de travail Voirie" }).waitFor({ timeout: 60_000 }); // the only group: opened directly
    await card.getByText("Progression : 75 %").waitFor({ timeout: 60_000 });
    await page.getByText("Aucune tâche en retard.").waitFor();
  });
});

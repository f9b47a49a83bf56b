// Issue 13 acceptance, first point: two councils, an encrypted room with agents of both and each
// council's tasks bot. A task created by an agent of A is assigned to an agent of B; during a
// netsplit (both councils' federation senders paused) both sides change it (status, checklist,
// due date); after recovery every client (matrix-js-sdk with Rust crypto, on each council), each
// bot and the board widget (in Chromium, hosted by our client's widget driver, decrypting in the
// page) compute the same state: their fold results are compared.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as sdk from "matrix-js-sdk";
import type { Frame, Page } from "playwright-core";
import { startTasksBot, type RunningTasksBot } from "../../appservices/tasks/src/tasks-bot.ts";
import { parseRoomPowerLevels } from "../../appservices/protocol/src/power-levels.ts";
import { nextClock } from "../../appservices/protocol/src/room-events.ts";
import { foldTasks } from "../../appservices/protocol/src/task-fold.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTaskUpdate, type TaskUpdateInput } from "../../appservices/protocol/src/task-update.ts";
import { parseTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { foldSnapshot, type FoldSnapshot } from "../../widgets/tasks/src/fold-snapshot.ts";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser, waitFor } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import type { TestClient } from "../harness/matrix-client.ts";
import { type BotRegistration, cryptoClient, sendRaw, withAppservices, writeBotRegistration } from "../harness/bot-federation.ts";
import { startWidgetPages, type WidgetPages } from "../widgets/widget-pages.ts";
import { seriousA11yViolations } from "../harness/browser.ts";

const A = "ville-a";
const B = "agglo-b";
const BOT_A = `@entente-tasks:${A}`;
const BOT_B = `@entente-tasks:${B}`;

type Session = Awaited<ReturnType<typeof registerUser>>;


/** What a matrix-js-sdk client folds: its live timeline's decrypted events, with the room's levels and list. */
function clientFold(c: TestClient, roomId: string): FoldSnapshot | undefined {
  const room = c.client.getRoom(roomId);
  if (!room) return undefined;
  const stateContent = (type: string): unknown => room.currentState.getStateEvents(type, "")?.getContent();
  const create = room.currentState.getStateEvents("m.room.create", "");
  const config = parseTasksState(stateContent("fr.entente.tasks"));
  if (!config.ok) return undefined;
  const events = room.getLiveTimeline().getEvents().filter((e: sdk.MatrixEvent) => !e.isDecryptionFailure()).map((e: sdk.MatrixEvent) => ({
    event_id: e.getId(), type: e.getType(), sender: e.getSender(), origin_server_ts: e.getTs(), content: e.getContent(), unsigned: e.getUnsigned(),
    ...(e.event.redacts ? { redacts: e.event.redacts } : {}),
  }));
  const levels = parseRoomPowerLevels(stateContent("m.room.power_levels"), create ? { sender: create.getSender() ?? "", content: create.getContent() } : undefined);
  return foldSnapshot(foldTasks({ events, config: config.value, levels }));
}

describe("tasks across a netsplit: every client, bot and the board widget fold the same state", function () {
  this.timeout(240_000);
  let dir: string;
  let fed: TestFederation;
  let pages: WidgetPages;
  let page: Page;
  let alice: TestClient;
  let bob: TestClient;
  let claire: Session;
  const bots: RunningTasksBot[] = [];
  let roomId: string;
  let taskId = "";
  let board: Frame;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-tasks-netsplit-"));
    const registrations = new Map<string, BotRegistration>();
    for (const name of [A, B]) registrations.set(name, await writeBotRegistration(dir, "tasks", name, true));
    fed = await startFederation([A, B], { configure: withAppservices({ [A]: [registrations.get(A)!.path], [B]: [registrations.get(B)!.path] }) });
    [pages, alice, bob] = await Promise.all([startWidgetPages({ jitsiConfig: {}, apps: ["tasks"] }), cryptoClient(fed.get(A).url, "alice"), cryptoClient(fed.get(B).url, "bob")]);
    claire = await registerUser(fed.get(A).url, "claire");
    for (const name of [A, B]) {
      bots.push(await startTasksBot({
        registrationPath: registrations.get(name)!.path, homeserverUrl: fed.get(name).url, domain: name, storeDir: join(dir, `bot-${name}`),
        port: registrations.get(name)!.port, reminderTickMs: 3_600_000, keyWaitMs: 10_000, log: (l) => { if (process.env["BOT_LOG"]) console.error(name, JSON.stringify(l)); },
      }));
    }
  });

  after(async () => {
    await page?.close().catch(() => undefined);
    for (const b of bots) await b.stop().catch(() => undefined);
    alice?.client.stopClient();
    bob?.client.stopClient();
    await pages?.stop();
    await fed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const botFold = (i: number): FoldSnapshot | undefined => {
    const r = bots[i]?.rooms.get(roomId);
    return r?.config ? foldSnapshot(r.fold()) : undefined;
  };
  const widgetFold = async (): Promise<FoldSnapshot | undefined> =>
    board.evaluate(() => {
      const b = (globalThis as unknown as { __taskBoard?: { status(): string; snapshot(): unknown } }).__taskBoard;
      return b?.status() === "ready" ? (b.snapshot() as FoldSnapshot) : undefined;
    });
  const update = (c: TestClient, u: Omit<TaskUpdateInput, "root" | "clock">): Promise<{ event_id: string }> => {
    const mine = clientFold(c, roomId);
    return sendRaw(c, roomId, "fr.entente.task.update", buildTaskUpdate({ root: taskId, clock: nextClock(mine?.maxClock ?? 0), ...u }));
  };
  const knowsDevice = async (c: TestClient, s: Session): Promise<true | undefined> =>
    (await c.client.getCrypto()!.getUserDeviceInfo([s.userId], true)).get(s.userId)?.has(s.deviceId) ? true : undefined;

  it("sets up the room: both councils' agents and bots, the list from A's bot, the board's agent with encryption in Chromium", async () => {
    roomId = (await alice.client.createRoom({
      name: "Groupe de travail voirie", invite: [bob.userId, claire.userId, BOT_A, BOT_B],
      power_level_content_override: { users: { [BOT_A]: 50 } },
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    })).room_id;
    await waitFor("bob's invite", () => bob.client.getRoom(roomId) ?? undefined, 30_000);
    await bob.client.joinRoom(roomId);
    await call(fed.get(A).url, claire, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    // The board's agent: our widget host page with matrix-js-sdk and Rust crypto in Chromium.
    page = await pages.browser.newPage();
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/widgets/tasks/index.html`, name: "Tâches" };
    const hash = new URLSearchParams({ mode: "sdk", crypto: "1", live: "1", defer: "1", hs: fed.get(A).url, token: claire.accessToken, user: claire.userId, device: claire.deviceId, room: roomId, wid: "tasksboard", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    await waitFor("the host's session", () => page.evaluate(() => (globalThis as any).__host.clientReady === true || undefined), 60_000);
    // B's bot learns of its invite from A through B's appservice stream and joins by itself.
    await waitFor("the list state, set up by A's bot", () => alice.client.getRoom(roomId)?.currentState.getStateEvents("fr.entente.tasks", "") ?? undefined, 60_000);
    await waitFor("both bots joined", () => [BOT_A, BOT_B].every((b) => alice.client.getRoom(roomId)?.getMember(b)?.membership === "join") || undefined, 60_000);
    await waitFor("bob joined, seen from A", () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join" || undefined, 30_000);
    // Everyone who encrypts knows the browser's device before the first task event.
    await waitFor("alice knows claire's browser device", () => knowsDevice(alice, claire), 30_000);
    await waitFor("bob knows claire's browser device", () => knowsDevice(bob, claire), 30_000);
  });

  it("a task created by an agent of A, assigned to an agent of B, is folded alike everywhere before the split", async () => {
    const state = parseTasksState(alice.client.getRoom(roomId)?.currentState.getStateEvents("fr.entente.tasks", "")?.getContent());
    assert.ok(state.ok);
    taskId = (await sendRaw(alice, roomId, "m.room.message", buildTaskRoot({
      anchor: state.value.anchor, title: "Réfection de la rue des Écoles", assignees: [bob.userId], labels: ["voirie"],
      due: { tzid: "Europe/Paris", value: "20270115T180000" }, checklist: [{ id: "devis", text: "Demander les devis", done: false }],
    }))).event_id;
    await waitFor("bob has the task", () => clientFold(bob, roomId)?.tasks.some((t) => t.id === taskId) || undefined, 30_000);
    // Bob answers in the task's thread (his encryption session reaches every device now).
    await sendRaw(bob, roomId, "m.room.message", { msgtype: "m.text", body: "Je prends", "m.relates_to": { rel_type: "m.thread", event_id: taskId, is_falling_back: true, "m.in_reply_to": { event_id: taskId } } });
    await update(alice, { set: { status: "doing" } });
    await waitFor("both bots fold the task", () => (botFold(0)?.tasks.length === 1 && botFold(1)?.tasks[0]?.status === "doing") || undefined, 60_000);
    // Open the board: it loads the list through the anchor's and the root's relations, decrypted by the host.
    await page.evaluate(() => (globalThis as any).__host.openWidget());
    const labels = await page.locator("entente-widget-consent label").allTextContents().then(async (l) => (l.length > 0 ? l : (await page.locator("#approve").waitFor(), page.locator("entente-widget-consent label").allTextContents())));
    assert.equal(labels.length, 12, labels.join(" | "));
    await page.locator("#approve").click();
    board = await waitFor("the board frame", () => page.frames().find((f) => f.url().startsWith(`${pages.widgetsOrigin}/widgets/tasks/`)), 30_000);
    const before = await waitFor("the board folds the task", async () => ((await widgetFold())?.tasks[0]?.status === "doing" ? widgetFold() : undefined), 60_000);
    assert.deepEqual(before, clientFold(alice, roomId));
    await board.locator("li.card button.open", { hasText: "Réfection de la rue des Écoles" }).waitFor();
  });

  it("during a netsplit both sides change the task; after recovery every reader folds the same state", async () => {
    const senders = [A, B].map((n) => fed.get(n).hs!.context.federation!.sender);
    for (const s of senders) s.pause();
    // A's side: status, a checklist item, a due date. B's side, concurrently: status, a checklist
    // item and ticking the first one, another due date.
    await update(alice, { set: { status: "blocked", due: { tzid: "Europe/Paris", value: "20270122T180000" } }, checklist: { add: [{ id: "arrete", text: "Prendre l'arrêté de circulation", done: false }] } });
    await update(bob, { set: { status: "done", due: { date: "20270129" } }, checklist: { add: [{ id: "riverains", text: "Informer les riverains", done: false }], done: { devis: true } } });
    await update(alice, { checklist: { done: { arrete: true } } });
    // The split is real: each side sees only its own changes.
    await waitFor("A sees its own changes only", () => {
      const f = clientFold(alice, roomId)?.tasks[0];
      return f?.checklist.some((i) => i.id === "arrete" && i.done) && !f.checklist.some((i) => i.id === "riverains") ? true : undefined;
    }, 30_000);
    assert.equal(clientFold(bob, roomId)?.tasks[0]?.checklist.some((i) => i.id === "arrete"), false);
    for (const s of senders) s.resume();

    const readers = async (): Promise<Record<string, FoldSnapshot | undefined>> => ({
      alice: clientFold(alice, roomId), bob: clientFold(bob, roomId), botA: botFold(0), botB: botFold(1), board: await widgetFold(),
    });
    const all = await waitFor("every reader folds the same state", async () => {
      const r = await readers();
      const first = JSON.stringify(r["alice"]);
      return r["alice"] !== undefined && r["alice"].tasks[0]?.checklist.length === 3 && Object.values(r).every((s) => JSON.stringify(s) === first) ? r : undefined;
    }, 90_000).catch(async (err: unknown) => {
      console.error(JSON.stringify(await readers(), null, 1));
      throw err;
    });
    const task = all["alice"]!.tasks[0]!;
    assert.deepEqual(task.checklist.map((i) => [i.id, i.done]), [["devis", true], ["arrete", true], ["riverains", false]], "concurrent checklist additions all kept");
    // Both sides wrote with the same Lamport clock: (origin_server_ts, event_id) decides, the same way everywhere.
    assert.ok((task.status === "blocked" && task.due !== null && "tzid" in task.due) || (task.status === "done" && task.due !== null && "date" in task.due), JSON.stringify(task));
    assert.deepEqual(task.assignees, [bob.userId]);
    assert.deepEqual(all["board"]!.skipped, []);
    // The board shows it: the card is in the column of the folded status.
    const column = task.status === "done" ? "done" : "blocked";
    await board.locator(`section[data-column="${column}"] li.card`, { hasText: "Réfection de la rue des Écoles" }).waitFor({ timeout: 30_000 });
  });
  it("the board, used by the agent in Chromium: checklist, thread reply, keyboard move, new task, drag-and-drop; everyone folds it alike", async () => {
    const title = "Réfection de la rue des Écoles";
    const card = (text: string) => board.locator("li.card", { hasText: text });
    const aliceTask = (id: string) => clientFold(alice, roomId)?.tasks.find((t) => t.id === id);
    // axe-core inside the widget's frame (Frame has the two methods the helper uses).
    assert.deepEqual(await seriousA11yViolations(board as unknown as Page), [], "board accessible");
    await card(title).locator("button.open").click();
    await board.locator("#item-riverains").waitFor();
    assert.deepEqual(await seriousA11yViolations(board as unknown as Page), [], "details accessible");
    await board.locator("#item-riverains").check();
    await waitFor("alice sees the item ticked from the board", () => aliceTask(taskId)?.checklist.find((i) => i.id === "riverains")?.done || undefined, 30_000);
    await board.locator("#new-item").fill("Afficher l'avis en mairie");
    await board.locator("#add-item").click();
    await waitFor("alice sees the item added from the board", () => aliceTask(taskId)?.checklist.some((i) => i.text === "Afficher l'avis en mairie") || undefined, 30_000);
    await board.locator("#reply").fill("Vu depuis le tableau");
    await board.locator("#send-reply").click();
    const reply = await waitFor("bob reads the board's reply in the task's thread", () => bob.client.getRoom(roomId)?.getLiveTimeline().getEvents()
      .find((e) => e.getContent()["body"] === "Vu depuis le tableau"), 30_000);
    assert.deepEqual([reply.getSender(), (reply.getContent()["m.relates_to"] as Record<string, unknown>)["rel_type"], (reply.getContent()["m.relates_to"] as Record<string, unknown>)["event_id"]], [claire.userId, "m.thread", taskId]);
    assert.equal(reply.isEncrypted(), true);
    await board.locator("#close-details").click();
    // Keyboard alternative to dragging: one column to the left.
    const from = aliceTask(taskId)!.status;
    const expected = from === "done" ? "blocked" : "doing";
    await card(title).locator("button.move-left").click();
    await waitFor(`alice sees the task moved to ${expected}`, () => (aliceTask(taskId)?.column === expected && aliceTask(taskId)?.status === expected) || undefined, 30_000);
    await board.locator(`section[data-column="${expected}"] li.card`, { hasText: title }).waitFor({ timeout: 30_000 });
    const focused = await waitFor("focus follows the moved card", () => board.evaluate(() => {
      const root = (globalThis as unknown as { document: { querySelector(s: string): { shadowRoot: { activeElement: { closest(s: string): { dataset: Record<string, string>; parentElement: { parentElement: { dataset: Record<string, string> } } } | null } | null } } | null } }).document
        .querySelector("entente-task-board")?.shadowRoot.activeElement?.closest("li.card");
      return root ? `${root.parentElement.parentElement.dataset["column"]} ${root.dataset["task"]}` : undefined;
    }), 30_000);
    assert.equal(focused, `${expected} ${taskId}`);
    // A new task from the form, assigned to the agent of B.
    await board.locator("#new-task").click();
    await board.locator("form.create input[name=title]").fill("Commander la signalisation");
    const picker = board.locator("form.create").getByRole("combobox");
    await picker.fill(bob.userId);
    await picker.press("ArrowDown");
    await picker.press("Enter");
    await board.locator(`form.create li[data-user="${bob.userId}"]`).waitFor();
    await board.locator("#create-submit").click();
    const created = await waitFor("bob folds the task created on the board", () => clientFold(bob, roomId)?.tasks.find((t) => t.title === "Commander la signalisation"), 30_000);
    assert.deepEqual([created.assignees, created.creator, created.status], [[bob.userId], claire.userId, "todo"]);
    // Drag-and-drop into « En cours ».
    await board.locator('section[data-column="todo"] li.card', { hasText: "Commander la signalisation" }).dragTo(board.locator('section[data-column="doing"]'));
    await waitFor("alice sees the dragged task in doing", () => (aliceTask(created.id)?.column === "doing" && aliceTask(created.id)?.status === "doing") || undefined, 30_000);
    await waitFor("every reader folds the same state again", async () => {
      const r = [clientFold(alice, roomId), clientFold(bob, roomId), botFold(0), botFold(1), await widgetFold()].map((x) => JSON.stringify(x));
      return r.every((x) => x === r[0]) && (JSON.parse(r[0]!) as FoldSnapshot).tasks.length === 2 || undefined;
    }, 60_000);
  });
});

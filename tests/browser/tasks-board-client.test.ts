// The task board hosted in our real web client's room view (Chromium): the agent signs in to a
// council, opens an encrypted room, opens "Tâches" from the room's widget panel, creates a task
// (assignee chosen in the picker), edits it (title, labels, priority, due date, description,
// assignees), drags it to « En cours » and deletes it after the confirmation dialog; a plain
// matrix-js-sdk client (Rust crypto, in Node) then reads the room's events and folds them: same
// task, every change there, each update encrypted on the wire. Also: the board loads with one
// recursive relations request, and the client feeds a widget the events it or the agent just
// sent, once each (the client's detached pending-event ordering; the widget host page's
// chronological one is tests/widgets/own-events-live.test.ts). Screenshot in tests/artifacts/.
import assert from "node:assert/strict";
import type * as sdk from "matrix-js-sdk";
import type { BrowserContext, Frame, Page } from "playwright-core";
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { parseRoomPowerLevels } from "../../appservices/protocol/src/power-levels.ts";
import { foldTasks, type Task } from "../../appservices/protocol/src/task-fold.ts";
import { buildTasksState, parseTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { screenshot, screenshotOnFailure } from "../harness/browser.ts";
import { registerUser } from "../harness/homeserver.ts";
import { PASSWORD } from "../harness/client-pages.ts";
import { cryptoClient } from "../harness/bot-federation.ts";
import "../harness/matrix-client.ts"; // quiets matrix-js-sdk's log
import type { TestClient } from "../harness/matrix-client.ts";
import { startWidgetPages, type WidgetPages } from "../widgets/widget-pages.ts";
import { openClientWithWidgets } from "../widgets/widget-client.ts";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import type { ServedClient } from "../../client/scripts/serve-client.ts";

const WIDGETS = "im.vector.modular.widgets";

describe("task board in the web client's room view", function () {
  this.timeout(300_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  let web: ServedClient;
  let context: BrowserContext;
  let page: Page;
  let anne: { userId: string; accessToken: string; deviceId: string };
  let bruno: TestClient;
  let roomId = "";
  const relations: string[] = [];

  before(async () => {
    const dist = await ensureClientBuild();
    pages = await startWidgetPages({ jitsiConfig: {}, apps: ["tasks"] });
    hs = await startTestHomeserver();
    anne = await registerUser(hs.url, "anne", PASSWORD);
    bruno = await cryptoClient(hs.url, "bruno");
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/profile/${enc(anne.userId)}/displayname`, { displayname: "Anne Durand" });
    await call(hs.url, bruno, "PUT", `/_matrix/client/v3/profile/${enc(bruno.userId)}/displayname`, { displayname: "Bruno Martin" });
    ({ room_id: roomId } = await call<{ room_id: string }>(hs.url, anne, "POST", "/_matrix/client/v3/createRoom", {
      name: "Voirie", invite: [bruno.userId], initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    }));
    await waitFor("bruno's invite", () => bruno.client.getRoom(roomId) ?? undefined, 30_000);
    await bruno.client.joinRoom(roomId);
    // The list as the tasks bot sets it up (anchor + state), and the two widgets of the room.
    const anchor = (await call<{ event_id: string }>(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${TASKLIST_ANCHOR}/a1`, buildAnchor("Tâches"))).event_id;
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${TASKS_STATE}`, buildTasksState({ anchor }));
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${WIDGETS}/tasks`, {
      type: "m.custom", name: "Tâches", data: {},
      // The templates docs/widgets.md gives (the board judges rights by the agent's id).
      url: `${pages.widgetsOrigin}/widgets/tasks/index.html?userId=$matrix_user_id&roomId=$matrix_room_id&theme=$org.matrix.msc2873.client_theme&language=$org.matrix.msc2873.client_language`,
    });
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${WIDGETS}/echo`, { type: "m.custom", url: `${pages.widgetsOrigin}/fixtures/echo-widget.html`, name: "Écho", data: {} });
    const serverName = anne.userId.split(":")[1] ?? "";
    ({ web, context, page } = await openClientWithWidgets({ dist, pages, hsUrl: hs.url, serverName, allowed: "meet.invalid", user: "anne", external: [] }));
    page.on("request", (r) => { if (r.url().includes("/relations/")) relations.push(r.url()); });
  });
  screenshotOnFailure("tasks-board-client", () => page);
  after(async () => {
    bruno?.client.stopClient();
    await context?.close();
    await web?.close();
    await pages?.stop();
    await hs?.stop();
  });

  const openWidget = async (id: string, path: string): Promise<Frame> => {
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/room/${encodeURIComponent(roomId)}`);
    await page.locator("ent-room-widgets #widgets-toggle").waitFor({ timeout: 60_000 });
    if ((await page.locator("#widgets-panel").count()) === 0) await page.locator("#widgets-toggle").click();
    await page.locator(`#widgets-panel li[data-widget-id="${id}"] .open`).click();
    await page.locator("#approve").click({ timeout: 30_000 });
    return waitFor(`the ${id} widget`, () => page.frames().find((f) => f.url().includes(path)), 30_000);
  };

  /** What Bruno's plain client folds from its live timeline (decrypted). */
  const brunoTask = (): Task | undefined => {
    const room = bruno.client.getRoom(roomId);
    const config = parseTasksState(room?.currentState.getStateEvents(TASKS_STATE, "")?.getContent());
    if (room === null || !config.ok) return undefined;
    const events = room.getLiveTimeline().getEvents().filter((e: sdk.MatrixEvent) => !e.isDecryptionFailure()).map((e: sdk.MatrixEvent) => ({
      event_id: e.getId(), type: e.getType(), sender: e.getSender(), origin_server_ts: e.getTs(), content: e.getContent(), unsigned: e.getUnsigned(),
    }));
    const levels = parseRoomPowerLevels(room.currentState.getStateEvents("m.room.power_levels", "")?.getContent());
    return [...foldTasks({ events, config: config.value, levels }).tasks.values()][0];
  };

  it("feeds a widget what it and the agent just sent, once each, decrypted", async () => {
    const frame = await openWidget("echo", "/fixtures/echo-widget.html");
    await frame.locator("#state", { hasText: "prêt" }).waitFor({ timeout: 30_000 });
    await frame.locator("#send").click();
    const widgetId = await waitFor("the widget's event id", async () => ((await frame.locator("#sent").textContent()) ?? "").trim() || undefined);
    await page.locator("textarea#text").fill("de l'agent");
    await page.locator("textarea#text").press("Enter");
    const agentEvent = await waitFor("the agent's message on the server", async () => {
      const m = await call<{ chunk: Array<{ event_id: string; type: string; sender: string }> }>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=10`);
      return m.chunk.find((e) => e.type === "m.room.encrypted" && e.sender === anne.userId && e.event_id !== widgetId);
    }, 30_000);
    await bruno.client.sendEvent(roomId, "fr.entente.test" as never, { text: "marqueur" } as never);
    await frame.locator("#received li", { hasText: "marqueur" }).waitFor({ timeout: 30_000 });
    const received = await frame.locator("#received li").allTextContents();
    assert.deepEqual(received.slice(0, 2), [`fr.entente.test|${widgetId}|du widget 1`, `m.room.message|${agentEvent.event_id}|de l'agent`], received.join("\n"));
    assert.equal(received.length, 3, received.join("\n"));
  });

  it("creates, edits, assigns from the picker, drags and deletes a task; a plain client folds the same", async () => {
    relations.length = 0;
    const board = await openWidget("tasks", "/widgets/tasks/");
    await board.locator("#new-task").waitFor({ timeout: 30_000 });
    assert.equal(relations.length, 1, `one recursive read at load:\n${relations.join("\n")}`);
    assert.equal(new URL(relations[0]!).searchParams.get("recurse"), "true");

    // An empty title is said in our words under the field (not the browser's bubble), which gets the focus.
    await board.locator("#new-task").click();
    await board.locator("#create-submit").click();
    await board.getByRole("alert").getByText("Donnez un titre à la tâche.").waitFor();
    const title = board.locator("form.create input[name=title]");
    assert.equal(await title.getAttribute("aria-invalid"), "true");
    assert.equal(await title.getAttribute("aria-describedby"), "title-error");
    assert.equal(await title.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "the title field has the focus");

    // Create, with Bruno picked from the room's members by keyboard.
    await board.locator("form.create input[name=title]").fill("Préparer le conseil");
    const picker = board.locator("form.create").getByRole("combobox", { name: "Ajouter une personne assignée" });
    await picker.fill("bru");
    await board.getByRole("option", { name: /Bruno Martin/ }).waitFor();
    await picker.press("ArrowDown");
    await picker.press("Enter");
    await board.locator('form.create li[data-user] >> text=Bruno Martin').waitFor();
    await board.locator("form.create input[name=labels]").fill("voirie");
    await board.locator("#create-submit").click();
    const card = board.locator("li.card", { hasText: "Préparer le conseil" });
    await card.waitFor({ timeout: 30_000 });
    await waitFor("bruno sees the task", () => (brunoTask()?.assignees[0] === bruno.userId ? true : undefined), 30_000);

    // Edit every field from the details.
    await card.locator("button.open").click();
    await board.locator("#edit-title").fill("Préparer le conseil municipal");
    await board.locator("#save-title").click();
    await board.locator("#edit-labels").fill("voirie, budget");
    await board.locator("#save-labels").click();
    await board.locator("#priority").selectOption({ label: "Haute" });
    await board.locator("#due").fill("2026-12-24T18:00");
    await board.locator("#due").dispatchEvent("change");
    await board.locator("#description").fill("Ordre du jour et délibérations");
    await board.locator("#save-description").click();
    // Anne adds herself too, then removes Bruno and adds him back (picker by keyboard each time).
    const detailsPicker = board.locator("entente-task-details").getByRole("combobox", { name: "Ajouter une personne assignée" });
    await detailsPicker.fill("Anne");
    await detailsPicker.press("ArrowDown");
    await detailsPicker.press("Enter");
    await waitFor("anne assigned", () => (brunoTask()?.assignees.includes(anne.userId) ? true : undefined), 30_000);
    await board.locator(`entente-task-details li[data-user="${anne.userId}"]`).waitFor({ timeout: 30_000 });
    await board.getByRole("button", { name: "Retirer Bruno Martin" }).click();
    await waitFor("bruno unassigned", () => (brunoTask()?.assignees.includes(bruno.userId) === false ? true : undefined), 30_000);
    // The board's own fold too (it offers only people not assigned yet).
    await board.locator(`entente-task-details li[data-user="${bruno.userId}"]`).waitFor({ state: "detached", timeout: 30_000 });
    await detailsPicker.fill(bruno.userId);
    await detailsPicker.press("ArrowDown");
    await detailsPicker.press("Enter");
    const edited = await waitFor("bruno folds every edit", () => {
      const t = brunoTask();
      return t !== undefined && t.title === "Préparer le conseil municipal" && t.priority === 1 && t.description === "Ordre du jour et délibérations" && t.assignees.length === 2 && t.due !== null ? t : undefined;
    }, 30_000);
    // The board's zone is the browser's (the agent's m.tz does not reach widgets yet).
    const zone = await board.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.deepEqual([edited.labels, edited.assignees, edited.due], [["voirie", "budget"], [anne.userId, bruno.userId], { tzid: zone, value: "20261224T180000" }]);
    await page.setViewportSize({ width: 1280, height: 720 });
    await screenshot(page, "tasks-board-client-details");
    await board.locator("#close-details").click();
    await board.locator("li.card", { hasText: "Préparer le conseil municipal" }).waitFor();
    // The frame's next two paints first: screenshots taken at once showed the widget's frame blank.
    await board.evaluate(() => {
      const g = globalThis as unknown as { requestAnimationFrame(f: () => void): number };
      return new Promise<void>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(() => r())));
    });
    await screenshot(page, "tasks-board-client");

    // Drag to « En cours ».
    await board.locator('section[data-column="todo"] li.card', { hasText: "Préparer le conseil municipal" }).dragTo(board.locator('section[data-column="doing"]'));
    await waitFor("bruno sees it in doing", () => (brunoTask()?.column === "doing" && brunoTask()?.status === "doing" ? true : undefined), 30_000);

    // Delete, after the confirmation dialog (Cancel first keeps it).
    await board.locator('section[data-column="doing"] li.card button.open').click();
    await board.locator("#delete-task").click();
    await board.getByRole("dialog", { name: "Supprimer « Préparer le conseil municipal » ?" }).waitFor();
    await board.locator("#confirm-cancel").click();
    assert.equal(brunoTask()?.deleted, false);
    await board.locator("#delete-task").click();
    await board.locator("#confirm-delete-button").click();
    await waitFor("bruno folds the delete", () => (brunoTask()?.deleted === true ? true : undefined), 30_000);
    await board.locator("li.card", { hasText: "Préparer le conseil" }).waitFor({ state: "detached", timeout: 30_000 });
    assert.match(await board.locator("#announce").textContent() ?? "", /supprimée/);

    // On the wire: the root and every update were encrypted.
    const wire = await call<{ chunk: Array<{ type: string; sender: string; state_key?: string }> }>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`);
    // Anne's timeline events but the anchor (set up in clear by the test, as a bot would).
    const mine = wire.chunk.filter((e) => e.sender === anne.userId && e.state_key === undefined && e.type !== TASKLIST_ANCHOR);
    assert.ok(mine.length >= 10, `${mine.length} events`);
    assert.deepEqual([...new Set(mine.map((e) => e.type))], ["m.room.encrypted"]);
  });
});

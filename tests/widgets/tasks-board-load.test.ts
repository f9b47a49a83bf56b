// The task board loads a room's list with ONE recursive relations read on the anchor (the spec's
// `recurse=true`, in the client's pages of SERVER_PAGE), not one request per task: the board runs
// in Chromium in our widget host page (our driver over matrix-js-sdk) against a real homeserver,
// and every /relations request the page makes is counted. 150 tasks and 1,200 updates are 1,350
// events: one page of 5,000 (two when pages were 1,000).
import assert from "node:assert/strict";
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTaskUpdate } from "../../appservices/protocol/src/task-update.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import type { FoldSnapshot } from "../../widgets/tasks/src/fold-snapshot.ts";
import { registerUser, startTestHomeserver, waitFor, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import { startWidgetPages, type WidgetPages } from "./widget-pages.ts";
import { seriousA11yViolations } from "../harness/browser.ts";
import type { Page } from "playwright-core";
import { SERVER_PAGE } from "../../client/src/core/widgets/recursive-relations.ts";

const TASKS = 150;
const UPDATES_PER_TASK = 8;

describe("task board: loading a list over the network", function () {
  this.timeout(240_000);
  let hs: TestHomeserver;
  let pages: WidgetPages;
  before(async () => {
    [hs, pages] = await Promise.all([startTestHomeserver(), startWidgetPages({ jitsiConfig: {}, apps: ["tasks"] })]);
  });
  after(async () => {
    await pages?.stop();
    await hs?.stop();
  });

  it("reads the anchor's whole tree in one recursive request series (pages of SERVER_PAGE for 1,350 events)", async () => {
    const anne = await registerUser(hs.url, "anne");
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, anne, "POST", "/_matrix/client/v3/createRoom", { name: "Voirie" });
    let txn = 0;
    const send = async (type: string, content: unknown): Promise<string> =>
      (await call<{ event_id: string }>(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/t${txn++}`, content)).event_id;
    const anchor = await send(TASKLIST_ANCHOR, buildAnchor("Tâches"));
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(TASKS_STATE)}`, buildTasksState({ anchor }));
    const roots: string[] = [];
    for (let i = 0; i < TASKS; i += 10) {
      roots.push(...await Promise.all(Array.from({ length: Math.min(10, TASKS - i) }, (_, j) => send("m.room.message", buildTaskRoot({ anchor, title: `Tâche ${i + j}` })))));
    }
    // Each task's last update (clock 8) says where it ends: done for even tasks, doing for odd ones.
    for (let clock = 1; clock <= UPDATES_PER_TASK; clock++) {
      for (let i = 0; i < TASKS; i += 25) {
        await Promise.all(roots.slice(i, i + 25).map((root, j) => send("fr.entente.task.update", buildTaskUpdate({
          root, clock, set: { status: clock < UPDATES_PER_TASK ? "blocked" : (i + j) % 2 === 0 ? "done" : "doing", description: `v${clock}` },
        }))));
      }
    }
    // A thread reply on a task is not part of the list and not read at load.
    await send("m.room.message", { msgtype: "m.text", body: "question", "m.relates_to": { rel_type: "m.thread", event_id: roots[0] } });

    const page = await pages.browser.newPage();
    const relations: string[] = [];
    page.on("request", (r) => { if (r.url().includes("/relations/")) relations.push(r.url()); });
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/widgets/tasks/index.html`, name: "Tâches" };
    const hash = new URLSearchParams({ mode: "sdk", live: "1", hs: hs.url, token: anne.accessToken, user: anne.userId, device: anne.deviceId, room: roomId, wid: "tasks", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    await page.locator("#approve").click({ timeout: 60_000 });
    const board = await waitFor("the board frame", () => page.frames().find((f) => f.url().startsWith(`${pages.widgetsOrigin}/widgets/tasks/`)), 30_000);
    const snapshot = await waitFor("the board loaded", () => board.evaluate(() => {
      const b = (globalThis as unknown as { __taskBoard?: { status(): string; snapshot(): unknown } }).__taskBoard;
      return b?.status() === "ready" ? (b.snapshot() as FoldSnapshot) : undefined;
    }), 60_000).catch(async (e: unknown) => {
      const status = await board.evaluate(() => (globalThis as unknown as { __taskBoard?: { status(): string } }).__taskBoard?.status()).catch(String);
      throw new Error(`${String(e)}; board ${status}; relations read:\n${relations.join("\n")}\n${await board.locator("body").innerText().catch(String)}`);
    });

    assert.equal(snapshot.tasks.length, TASKS);
    const byId = new Map(snapshot.tasks.map((t) => [t.id, t]));
    roots.forEach((id, i) => {
      const t = byId.get(id) as Record<string, unknown> | undefined;
      assert.deepEqual([t?.["status"], t?.["description"]], [i % 2 === 0 ? "done" : "doing", `v${UPDATES_PER_TASK}`], `task ${i}`);
    });
    const pagesOf = Math.ceil((TASKS * (1 + UPDATES_PER_TASK)) / SERVER_PAGE);
    assert.equal(relations.length, pagesOf, `one recursive read in ${pagesOf} page(s), got:\n${relations.join("\n")}`);
    for (const url of relations) {
      const u = new URL(url);
      assert.equal(u.pathname, `/_matrix/client/v1/rooms/${enc(roomId)}/relations/${enc(anchor)}/m.reference`);
      assert.deepEqual([u.searchParams.get("recurse"), u.searchParams.get("limit"), u.searchParams.get("dir")], ["true", String(SERVER_PAGE), "f"]);
    }
    await page.close();
  });

  it("shows an agent without the levels why they cannot create, edit, assign others or delete; the picker lists members by keyboard; axe", async () => {
    const [anne, bruno, carole] = [await registerUser(hs.url, "anne2"), await registerUser(hs.url, "bruno2"), await registerUser(hs.url, "carole2")];
    for (const [who, name] of [[anne, "Anne Durand"], [bruno, "Bruno Martin"], [carole, "Carole Petit"]] as const) {
      await call(hs.url, who, "PUT", `/_matrix/client/v3/profile/${enc(who.userId)}/displayname`, { displayname: name });
    }
    const { room_id: roomId } = await call<{ room_id: string }>(hs.url, anne, "POST", "/_matrix/client/v3/createRoom", { name: "Conseil", invite: [bruno.userId, carole.userId] });
    for (const who of [bruno, carole]) await call(hs.url, who, "POST", `/_matrix/client/v3/join/${enc(roomId)}`, {});
    const anchor = (await call<{ event_id: string }>(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/${TASKLIST_ANCHOR}/a`, buildAnchor())).event_id;
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(TASKS_STATE)}`, buildTasksState({ anchor, permissions: { create: 50, edit: 50, assign: 50, delete: 50 } }));
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/t`, buildTaskRoot({ anchor, title: "Budget voirie" }));

    // Bruno, level 0, opens the board (the URL carries his id, as docs/widgets.md says).
    const page = await pages.browser.newPage();
    const widget = { type: "m.custom", url: `${pages.widgetsOrigin}/widgets/tasks/index.html?userId=$matrix_user_id`, name: "Tâches" };
    const hash = new URLSearchParams({ mode: "sdk", live: "1", hs: hs.url, token: bruno.accessToken, user: bruno.userId, device: bruno.deviceId, room: roomId, wid: "tasks", widget: JSON.stringify(widget), widgetsOrigin: pages.widgetsOrigin });
    await page.goto(`${pages.hostOrigin}/fixtures/host.html#${hash.toString()}`);
    await page.locator("#approve").click({ timeout: 60_000 });
    const board = await waitFor("the board frame", () => page.frames().find((f) => f.url().startsWith(`${pages.widgetsOrigin}/widgets/tasks/`)), 30_000);
    await board.locator("li.card", { hasText: "Budget voirie" }).waitFor({ timeout: 60_000 });
    assert.equal(await board.locator("#new-task").count(), 0);
    assert.equal((await board.locator("#create-note").textContent())?.trim(), "Créer une tâche demande le niveau 50 dans ce salon.");
    await board.locator("li.card button.open").click();
    assert.match((await board.locator("#edit-note").textContent()) ?? "", /Modifier cette tâche demande le niveau 50/);
    assert.match((await board.locator("#delete-note").textContent()) ?? "", /Supprimer cette tâche demande le niveau 50/);
    assert.equal(await board.locator("#delete-task").count(), 0);
    assert.equal(await board.locator("#edit-title").isDisabled(), true);
    assert.equal(await board.getByRole("combobox", { name: "Ajouter une personne assignée" }).isDisabled(), true);
    assert.deepEqual(await seriousA11yViolations(board as unknown as Page), [], "details with rights explained");

    // Raised to 50, he may: the picker lists the members (display name + id) and picks by keyboard.
    await call(hs.url, anne, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`, {
      ...(await call<Record<string, unknown>>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels`)),
      users: { [bruno.userId]: 50 }, // anne created the room (v12: creators are not listed)
    });
    const picker = board.getByRole("combobox", { name: "Ajouter une personne assignée" });
    await waitFor("the picker enabled", async () => ((await picker.isEnabled()) ? true : undefined), 30_000);
    assert.equal(await board.locator("#edit-note").count(), 0);
    await picker.press("ArrowDown");
    const options = await board.getByRole("listbox", { name: "Membres du salon" }).getByRole("option").allTextContents();
    assert.deepEqual(options.map((o) => o.replace(/\s+/g, " ").trim()), [`Anne Durand ${anne.userId}`, `Bruno Martin ${bruno.userId}`, `Carole Petit ${carole.userId}`]);
    assert.equal(await picker.getAttribute("aria-expanded"), "true");
    assert.deepEqual(await seriousA11yViolations(board as unknown as Page), [], "picker open");
    await picker.press("ArrowDown");
    await picker.press("ArrowDown");
    assert.equal(await picker.getAttribute("aria-activedescendant"), await board.getByRole("option", { name: /Carole Petit/ }).getAttribute("id"));
    await picker.press("Enter");
    await board.locator(`entente-task-details li[data-user="${carole.userId}"]`).waitFor({ timeout: 30_000 });
    const sent = await waitFor("the update on the server", async () => {
      const r = await call<{ chunk: Array<{ type: string; sender: string; content: Record<string, unknown> }> }>(hs.url, anne, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=10`);
      return r.chunk.find((e) => e.type === "fr.entente.task.update" && e.sender === bruno.userId);
    });
    assert.deepEqual(sent.content["set"], { assignees: [carole.userId] });
    await page.close();
  });
});

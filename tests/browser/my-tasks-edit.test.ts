// "Mes tâches" task details in Chromium, one council. Alice sets up a room's task list over the API
// (as the tasks bot would) with a task for Bob: overdue, no priority, a checklist of two items.
// Bob, in the web client, opens the task's details from his own list (keyboard: the panel's first
// field takes the focus, Escape closes it and gives the focus back), moves the due date, sets the
// priority and ticks a checklist item, and saves: ONE fr.entente.task.update, and the fold of the
// room's events read back over the API gives the new fields. The task moves to "Plus tard". The
// task's thread (its comments) opens from the list beside the task's room.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { TASK_UPDATE, TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { parseRoomPowerLevels } from "../../appservices/protocol/src/power-levels.ts";
import { foldTasks } from "../../appservices/protocol/src/task-fold.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { addDays, icalDate, wallTimeAt } from "../../appservices/tasks/src/local-time.ts";
import { waitFor } from "../harness/homeserver.ts";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { addSavedSession, clientApi, PASSWORD, useCouncilsClient, type Agent } from "../harness/client-pages.ts";

const A = "ville-a.test";

async function login(base: string, user: string): Promise<Agent> {
  const res = await fetch(`${base}/_matrix/client/v3/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password: PASSWORD }) });
  const s = (await res.json()) as { user_id: string; access_token: string; device_id: string };
  return { userId: s.user_id, accessToken: s.access_token, deviceId: s.device_id };
}

/** A calendar day counted from today in Paris, YYYYMMDD. */
const day = (offset: number): string => icalDate(addDays(wallTimeAt(Date.now(), "Europe/Paris"), offset));

/** The id or aria-label of the element focused in the page, through shadow roots. */
const focused = (page: Page): Promise<string> => page.evaluate(() => {
  type El = { shadowRoot: { activeElement: El | null } | null; id: string; getAttribute(n: string): string | null };
  let a = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a?.getAttribute("aria-label") ?? a?.id ?? "";
});

describe("web client in Chromium: Mes tâches edits a task's due date, priority and checklist", function () {
  this.timeout(240_000);
  const app = useCouncilsClient([A], { users: { alice: A, bob: A } });
  let page: Page | undefined;
  screenshotOnFailure("my-tasks-edit", () => page);

  it("changes the due date and priority and ticks an item from the agent's list; the room's fold agrees", async () => {
    const base = app.fed.get(A).url;
    const [alice, bob] = await Promise.all([login(base, "alice"), login(base, "bob")]);
    const asAlice = (method: string, path: string, body?: unknown) => clientApi(base, alice, method, path, body);
    const voirie = String((await asAlice("POST", "/createRoom", { name: "Voirie", invite: [bob.userId] }))["room_id"]);
    await clientApi(base, bob, "POST", `/join/${encodeURIComponent(voirie)}`, {});
    const room = `/rooms/${encodeURIComponent(voirie)}`;
    const anchor = String((await asAlice("PUT", `${room}/send/${TASKLIST_ANCHOR}/t0`, buildAnchor("Tâches")))["event_id"]);
    await asAlice("PUT", `${room}/state/${TASKS_STATE}/`, buildTasksState({ anchor }));
    const chaussee = String((await asAlice("PUT", `${room}/send/m.room.message/t1`, buildTaskRoot({
      anchor, title: "Réparer la chaussée", assignees: [bob.userId], due: { date: day(-2) },
      checklist: [{ id: "devis", text: "Demander le devis", done: false }, { id: "arrete", text: "Prendre l'arrêté", done: false }],
    })))["event_id"]);
    // A comment in the task's thread (the board widget's "comments").
    await asAlice("PUT", `${room}/send/m.room.message/c1`, { msgtype: "m.text", body: "Le devis est demandé à l'entreprise.", "m.relates_to": { rel_type: "m.thread", event_id: chaussee, is_falling_back: true, "m.in_reply_to": { event_id: chaussee } } });

    const ctx = await app.newContext({ locale: "fr-FR" });
    await addSavedSession(ctx, base, bob);
    page = await ctx.newPage();
    await page.goto(app.web.url);
    const nav = page.getByRole("navigation", { name: "Tâches et objectifs" });
    await nav.getByRole("link", { name: "Mes tâches" }).click({ timeout: 90_000 });
    const main = page.getByRole("main");
    const group = (name: RegExp) => main.locator("section").filter({ has: page!.getByRole("heading", { name }) });
    await group(/^En retard \(1\)$/).getByText("Réparer la chaussée").waitFor({ timeout: 60_000 });

    // Keyboard: the disclosure opens on the due date field; Escape closes it, focus back on its button.
    const details = main.getByRole("button", { name: "Détails de « Réparer la chaussée »" });
    assert.equal(await details.getAttribute("aria-expanded"), "false");
    await details.focus();
    await page.keyboard.press("Enter");
    const panel = main.getByRole("form", { name: "Détails de « Réparer la chaussée »" });
    await panel.waitFor();
    assert.equal(await details.getAttribute("aria-expanded"), "true");
    assert.match(await focused(page), /^due-/);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "my-tasks-details");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    assert.equal(await focused(page), "Détails de « Réparer la chaussée »");

    // The change: due in ten days, priority high, "Demander le devis" ticked (with the keyboard).
    await details.click();
    const newDue = day(10);
    await panel.getByLabel("Échéance").fill(`${newDue.slice(0, 4)}-${newDue.slice(4, 6)}-${newDue.slice(6, 8)}`);
    await panel.getByLabel("Priorité").selectOption({ label: "Haute" });
    const devis = panel.getByRole("checkbox", { name: "Demander le devis" });
    await devis.focus();
    await page.keyboard.press("Space");
    assert.equal(await devis.isChecked(), true);
    await panel.getByRole("button", { name: "Enregistrer" }).click();
    await page.getByRole("status").getByText("« Réparer la chaussée » enregistrée.").waitFor({ timeout: 30_000 });
    await group(/^Plus tard \(1\)$/).getByText("Réparer la chaussée").waitFor({ timeout: 30_000 });

    // The room's events read back over the API and folded by the protocol: the new fields, from one update.
    const events = await waitFor("bob's update in the room", async () => {
      const page = await clientApi(base, alice, "GET", `${room}/messages?dir=b&limit=100`);
      const chunk = page["chunk"] as { type: string; sender: string }[];
      return chunk.some((e) => e.type === TASK_UPDATE && e.sender === bob.userId) ? chunk : undefined;
    }, 30_000);
    const updates = events.filter((e) => e.type === TASK_UPDATE);
    assert.equal(updates.length, 1, "one fr.entente.task.update for the three changes");
    const levels = parseRoomPowerLevels((await asAlice("GET", `${room}/state/m.room.power_levels/`)));
    const task = foldTasks({ events, levels }).tasks.get(chaussee);
    assert.deepEqual(task?.due, { date: newDue });
    assert.equal(task?.priority, 1);
    assert.deepEqual(task?.checklist.map((i) => [i.id, i.done]), [["devis", true], ["arrete", false]]);
    assert.equal(task?.lastUpdatedBy, bob.userId);

    // Reopened, the panel shows what the room now says.
    await main.getByRole("button", { name: "Détails de « Réparer la chaussée »" }).click();
    assert.equal(await panel.getByLabel("Priorité").inputValue(), "1");
    assert.equal(await panel.getByRole("checkbox", { name: "Demander le devis" }).isChecked(), true);
    assert.equal(await panel.getByRole("checkbox", { name: "Prendre l'arrêté" }).isChecked(), false);

    // The task's thread (its comments) opens beside its room from the list; closing it goes back to the room's address.
    const threadLink = main.getByRole("link", { name: "Ouvrir le fil de discussion de « Réparer la chaussée » (commentaires)" });
    assert.equal(await threadLink.getAttribute("href"), `#/room/${encodeURIComponent(voirie)}/thread/${encodeURIComponent(chaussee)}`);
    await threadLink.click();
    const thread = page.locator("ent-thread-panel");
    await thread.getByText("Le devis est demandé à l'entreprise.").waitFor({ timeout: 30_000 });
    await thread.getByRole("button", { name: "Fermer le fil" }).click();
    await thread.waitFor({ state: "detached" });
    assert.equal(new URL(page.url()).hash, `#/room/${encodeURIComponent(voirie)}`);
  });
});

// Objectives made from the web client, two councils, in Chromium. Alice (ville-a) has a working
// group with a room holding a task list (set up over the API, as the tasks bot would) and a room
// without one; Bob (agglo-b) is a member of both. On the dashboard Alice creates the first
// objective (the room's objectives anchor and state are set up on the way) with two key results,
// owned by Bob; edits it (status, a target, a key result added then removed: one folded update);
// checks in; links two tasks and unlinks one; marks the linked task done in "Mes tâches" (where a
// group of 102 tasks shows 100 and a button for the rest). Bob,
// on his own council, sees the same progress and exports the same CSV; at level 0 he cannot set up
// a list in the other room (the option says which level it needs). The room is not encrypted here
// (tasks-views.test.ts covers the encrypted reads and writes of the same port).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { OBJECTIVE_UPDATE, OBJECTIVES_STATE, TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { waitFor } from "../harness/homeserver.ts";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { addSavedSession, clientApi, PASSWORD, useCouncilsClient, type Agent } from "../harness/client-pages.ts";

const A = "ville-a.test";
const B = "agglo-b.test";

async function login(base: string, user: string): Promise<Agent> {
  const res = await fetch(`${base}/_matrix/client/v3/login`, { method: "POST", body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password: PASSWORD }) });
  const s = (await res.json()) as { user_id: string; access_token: string; device_id: string };
  return { userId: s.user_id, accessToken: s.access_token, deviceId: s.device_id };
}

/** The text of the element focused in the page, through shadow roots. */
const focusedText = (page: Page): Promise<string> => page.evaluate(() => {
  type El = { shadowRoot: { activeElement: El | null } | null; id: string; textContent: string | null; getAttribute(n: string): string | null };
  let a = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a?.getAttribute("aria-label") ?? (a?.id ? `#${a.id}` : a?.textContent?.trim() ?? "");
});

describe("web client in Chromium: objectives created, edited and linked from the dashboard, two councils", function () {
  this.timeout(300_000);
  const app = useCouncilsClient([A, B], { users: { alice: A, bob: B } });
  let alicePage: Page | undefined;
  screenshotOnFailure("objectives-edit", () => alicePage);

  it("creates an objective with two key results, edits it, checks in, links tasks; the other council sees the same progress and CSV", async () => {
    const a = app.fed.get(A).url;
    const b = app.fed.get(B).url;
    const [alice, bob] = await Promise.all([login(a, "alice"), login(b, "bob")]);
    const api = (who: Agent, base: string) => (method: string, path: string, body?: unknown) => clientApi(base, who, method, path, body);
    const asAlice = api(alice, a);
    const asBob = api(bob, b);

    // The working group: a space, Voirie (task list, two tasks for alice) and Budget (no list).
    await asBob("PUT", `/profile/${encodeURIComponent(bob.userId)}/displayname`, { displayname: "Bob Martin" });
    const spaceId = String((await asAlice("POST", "/createRoom", { name: "Groupe Voirie", creation_content: { type: "m.space" }, invite: [bob.userId] }))["room_id"]);
    const voirie = String((await asAlice("POST", "/createRoom", { name: "Voirie", invite: [bob.userId] }))["room_id"]);
    const budget = String((await asAlice("POST", "/createRoom", { name: "Budget", invite: [bob.userId] }))["room_id"]);
    for (const r of [voirie, budget]) await asAlice("PUT", `/rooms/${encodeURIComponent(spaceId)}/state/m.space.child/${encodeURIComponent(r)}`, { via: [A] });
    for (const r of [spaceId, voirie, budget]) {
      await waitFor(`bob joins ${r}`, async () => (await asBob("POST", `/join/${encodeURIComponent(r)}?server_name=${A}`, {}).catch(() => undefined)) ? true : undefined, 30_000);
    }
    const anchor = String((await asAlice("PUT", `/rooms/${encodeURIComponent(voirie)}/send/${TASKLIST_ANCHOR}/t0`, buildAnchor("Tâches")))["event_id"]);
    await asAlice("PUT", `/rooms/${encodeURIComponent(voirie)}/state/${TASKS_STATE}/`, buildTasksState({ anchor }));
    const sendTask = async (txn: string, title: string): Promise<string> =>
      String((await asAlice("PUT", `/rooms/${encodeURIComponent(voirie)}/send/m.room.message/${txn}`, buildTaskRoot({ anchor, title, assignees: [alice.userId] })))["event_id"]);
    const chaussee = await sendTask("t1", "Réparer la chaussée");
    await sendTask("t2", "Poser les barrières");

    const open = async (who: Agent, base: string): Promise<Page> => {
      const ctx = await app.newContext({ locale: "fr-FR", acceptDownloads: true });
      await addSavedSession(ctx, base, who);
      const page = await ctx.newPage();
      await page.goto(app.web.url);
      return page;
    };
    const page = await open(alice, a);
    alicePage = page;
    const nav = page.getByRole("navigation", { name: "Tâches et objectifs" });
    await nav.getByRole("link", { name: "Objectifs" }).click({ timeout: 90_000 });
    await page.getByRole("heading", { name: "Objectifs — Groupe Voirie" }).waitFor({ timeout: 60_000 }); // the only group: opened directly
    await page.getByText("Aucun objectif : créez le premier").waitFor({ timeout: 60_000 });

    // Create: the form checks every field first (a missing title, a target with decimals: Matrix
    // events carry whole numbers only), then sends.
    await page.getByRole("button", { name: "Nouvel objectif" }).click();
    const dlg = page.getByRole("dialog", { name: "Nouvel objectif" });
    const room = dlg.getByLabel("Salon de l'objectif");
    assert.equal(await room.locator("option:checked").textContent(), "Budget (la liste d'objectifs y sera créée)");
    await room.selectOption({ label: "Voirie (la liste d'objectifs y sera créée)" });
    await dlg.getByLabel("Intitulé", { exact: true }).fill("Sécuriser les routes");
    await dlg.getByLabel("Responsable").selectOption(bob.userId);
    await dlg.getByLabel("Début de la période").fill("2026-01-01");
    await dlg.getByLabel("Fin de la période").fill("2026-12-31");
    const addKr = async (n: number, title: string, unit: string, start: string, target: string): Promise<void> => {
      await dlg.getByRole("button", { name: "Ajouter un résultat clé" }).click();
      assert.match(await focusedText(page), /^#kr-\d+-title$/, "focus in the new line's title field");
      await dlg.getByLabel(`Intitulé du résultat clé ${n}`).fill(title);
      await dlg.getByLabel(`Unité du résultat clé ${n}`).fill(unit);
      await dlg.getByLabel(`Valeur de départ du résultat clé ${n}`).fill(start);
      await dlg.getByLabel(`Cible du résultat clé ${n}`).fill(target);
    };
    await addKr(1, "Km rénovés", "km", "0", "10");
    await addKr(2, "Délai moyen", "jours", "30", "12,5");
    await dlg.getByLabel("Intitulé", { exact: true }).fill("");
    await dlg.getByRole("button", { name: "Créer l'objectif" }).click();
    await dlg.getByRole("alert").getByText("Le formulaire contient 2 erreurs").waitFor();
    assert.equal(await focusedText(page), "#obj-title", "focus on the first wrong field");
    await dlg.getByLabel("Intitulé", { exact: true }).fill("Sécuriser les routes");
    await dlg.getByRole("button", { name: "Créer l'objectif" }).click();
    await dlg.getByRole("alert").getByText("Le formulaire contient 1 erreur").waitFor();
    const target2 = dlg.getByLabel("Cible du résultat clé 2");
    assert.equal(await target2.getAttribute("aria-invalid"), "true");
    assert.equal(await target2.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "focus on the wrong field");
    assert.deepEqual(await seriousA11yViolations(page), [], "the dialog, with an error shown");
    assert.match(await dlg.locator(`#${await target2.getAttribute("aria-describedby") ?? ""}`).textContent() ?? "", /nombre entier/);
    await target2.fill("12");
    await dlg.getByRole("button", { name: "Créer l'objectif" }).click();
    await dlg.waitFor({ state: "hidden" });
    const card = page.locator("article").filter({ has: page.getByRole("heading", { name: "Sécuriser les routes" }) });
    await card.getByText("Progression : 0 %").first().waitFor({ timeout: 60_000 });
    await card.getByText("0 / 12 jours").waitFor();
    // the owner by name, the Matrix id in the tooltip
    const owner = card.getByText("Responsable : Bob Martin");
    await owner.waitFor();
    assert.equal(await owner.getAttribute("title"), bob.userId);
    const state = await asAlice("GET", `/rooms/${encodeURIComponent(voirie)}/state/${OBJECTIVES_STATE}/`);
    assert.equal(typeof state["anchor"], "string", "the room's objectives list was set up");
    const objectiveId = await card.getAttribute("data-objective") ?? "";

    // Edit: status, a target, a key result added then removed → one update with only that.
    await card.getByRole("button", { name: "Modifier l'objectif « Sécuriser les routes »" }).click();
    const edit = page.getByRole("dialog", { name: "Modifier l'objectif" });
    await edit.getByLabel("Statut").selectOption({ label: "À risque" });
    await edit.getByLabel("Cible du résultat clé 2").fill("5");
    await edit.getByRole("button", { name: "Ajouter un résultat clé" }).click();
    await edit.getByLabel("Intitulé du résultat clé 3").fill("Satisfaction");
    await edit.getByRole("button", { name: "Retirer le résultat clé 3" }).click();
    assert.equal(await edit.locator("fieldset.kr").count(), 2);
    await edit.getByRole("button", { name: "Enregistrer" }).click();
    await edit.waitFor({ state: "hidden" });
    assert.equal(await focusedText(page), "Modifier l'objectif « Sécuriser les routes »", "focus back on the opener");
    await card.getByText("0 / 5 jours").waitFor({ timeout: 60_000 });
    await card.getByText("À risque").waitFor();
    const rel = await fetch(`${a}/_matrix/client/v1/rooms/${encodeURIComponent(voirie)}/relations/${encodeURIComponent(objectiveId)}/m.reference/${OBJECTIVE_UPDATE}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    const chunk = ((await rel.json()) as { chunk: { content: Record<string, unknown> }[] }).chunk;
    assert.equal(chunk.length, 1);
    const sent = chunk[0]?.content ?? {};
    assert.deepEqual(sent["set"], { status: "at_risk" });
    const krOps = sent["key_results"] as Record<string, unknown>;
    assert.deepEqual(Object.keys(krOps), ["set"], "nothing added or removed");
    assert.deepEqual(Object.values(krOps["set"] as Record<string, unknown>), [{ target: 5 }]);

    // Check-ins: 4 km of 10 (40 %), 10 days from 30 towards 5 (80 %): key results 60 %.
    const checkin = async (kr: string, value: string): Promise<void> => {
      await card.getByLabel(`Nouvelle valeur pour « ${kr} »`).fill(value);
      await card.locator(`.kr`).filter({ hasText: kr }).getByRole("button", { name: "Ajouter un point d'étape" }).click();
    };
    await checkin("Km rénovés", "4");
    await card.getByText("4 / 10 km").waitFor({ timeout: 60_000 });
    await checkin("Délai moyen", "10");
    await card.getByText("10 / 5 jours").waitFor({ timeout: 60_000 });
    await card.locator(".overall").getByText("Progression : 60 %").waitFor();

    // Link both tasks (the dialog's filter narrows the list), unlink one: tasks 0 of 1, overall 30 %.
    const link = async (title: string): Promise<void> => {
      await card.getByRole("button", { name: "Lier une tâche à « Sécuriser les routes »" }).click();
      const ld = page.getByRole("dialog", { name: "Lier une tâche à « Sécuriser les routes »" });
      await ld.getByLabel("Filtrer les tâches").fill(title.slice(0, 8));
      assert.equal(await ld.getByLabel("Tâche", { exact: true }).locator("option").count(), 1);
      await ld.getByLabel("Tâche", { exact: true }).selectOption({ label: title });
      await ld.getByRole("button", { name: "Lier", exact: true }).click();
      await ld.waitFor({ state: "hidden" });
      const unlink = card.getByRole("button", { name: `Délier « ${title} »` });
      await unlink.waitFor({ timeout: 60_000 });
      assert.equal((await unlink.textContent())?.trim(), "Délier", "a short button, the task's title in its accessible name");
    };
    await link("Réparer la chaussée");
    await link("Poser les barrières");
    await card.getByText("Tâches liées (0 sur 2 faites)").waitFor();
    // Escape closes the dialog and gives the focus back.
    await card.getByRole("button", { name: "Lier une tâche à « Sécuriser les routes »" }).click();
    await page.getByRole("dialog", { name: /^Lier une tâche/ }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: /^Lier une tâche/ }).waitFor({ state: "hidden" });
    assert.equal(await focusedText(page), "Lier une tâche à « Sécuriser les routes »");
    await card.getByRole("button", { name: "Délier « Poser les barrières »" }).click();
    await card.getByText("Tâches liées (0 sur 1 faite)").waitFor({ timeout: 60_000 });
    await card.locator(".overall").getByText("Progression : 30 %").waitFor();

    // "Mes tâches" shows 100 tasks of a group, then a button for the rest (focus on the first new one).
    for (let i = 0; i < 100; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => sendTask(`z${i + j}`, `Zone ${String(i + j).padStart(3, "0")}`)));
    }
    await nav.getByRole("link", { name: "Mes tâches" }).click();
    const none = page.getByRole("main").locator("section").filter({ has: page.getByRole("heading", { name: "Sans échéance (102)" }) });
    await none.waitFor({ timeout: 60_000 });
    assert.equal(await none.locator("li").count(), 100);
    await none.getByRole("button", { name: "Afficher 2 tâches de plus (sur 102)" }).click();
    assert.equal(await none.locator("li").count(), 102);
    assert.equal(await focusedText(page), "Statut de « Zone 098 »", "focus on the first task shown");
    await nav.getByRole("link", { name: "Objectifs" }).click();
    await page.getByRole("heading", { name: "Objectifs — Groupe Voirie" }).waitFor(); // the only group: opened directly

    // Alice marks the linked task done in "Mes tâches": tasks 1 of 1, overall (60 + 100) / 2.
    await nav.getByRole("link", { name: "Mes tâches" }).click();
    await page.getByRole("combobox", { name: "Statut de « Réparer la chaussée »" }).selectOption({ label: "Faite" });
    await page.getByRole("status").getByText("« Réparer la chaussée » : Faite").waitFor({ timeout: 30_000 });
    await nav.getByRole("link", { name: "Objectifs" }).click();
    await page.getByRole("heading", { name: "Objectifs — Groupe Voirie" }).waitFor(); // the only group: opened directly
    await card.locator(".overall").getByText("Progression : 80 %").waitFor({ timeout: 60_000 });
    await card.getByText("Tâches liées (1 sur 1 faite)").waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "objectives-edit-dashboard");

    // Bob, on his council: the same progress, and the same CSV.
    const bobPage = await open(bob, b);
    alicePage = bobPage; // the failure screenshot shows the page at work
    await bobPage.getByRole("navigation", { name: "Tâches et objectifs" }).getByRole("link", { name: "Objectifs" }).click({ timeout: 90_000 });
    await bobPage.getByRole("heading", { name: "Objectifs — Groupe Voirie" }).waitFor({ timeout: 60_000 }); // the only group: opened directly
    const bobCard = bobPage.locator("article").filter({ has: bobPage.getByRole("heading", { name: "Sécuriser les routes" }) });
    await bobCard.locator(".overall").getByText("Progression : 80 %").waitFor({ timeout: 90_000 });
    await bobCard.getByText("4 / 10 km").waitFor();
    await bobCard.getByText("10 / 5 jours").waitFor();
    await bobCard.getByText("Tâches liées (1 sur 1 faite)").waitFor();
    await bobCard.getByText("À risque").waitFor();
    const [download] = await Promise.all([bobPage.waitForEvent("download"), bobPage.getByRole("button", { name: "Exporter en CSV" }).click()]);
    const lines = readFileSync(await download.path()).toString("utf8").slice(1).split("\r\n");
    assert.deepEqual(lines.filter((l) => l.startsWith("Voirie;")), [
      `Voirie;Sécuriser les routes;Objectif;Sécuriser les routes;at_risk;'${bob.userId};01/01/2026 – 31/12/2026;;;;;80`,
      "Voirie;Sécuriser les routes;Résultat clé;Km rénovés;;;;4;0;10;km;40",
      "Voirie;Sécuriser les routes;Résultat clé;Délai moyen;;;;10;30;5;jours;80",
      `Voirie;Sécuriser les routes;Tâche liée;Réparer la chaussée;done;'${alice.userId};;;;;;100`,
    ]);
    // Bob (level 0) may add objectives to Voirie's list (create 0) but not set one up in Budget (configure 50).
    await bobPage.getByRole("button", { name: "Nouvel objectif" }).click();
    const bobDlg = bobPage.getByRole("dialog", { name: "Nouvel objectif" });
    const budgetOption = bobDlg.getByLabel("Salon de l'objectif").locator("option", { hasText: "Budget" });
    assert.equal(await budgetOption.textContent(), "Budget (niveau 50 requis)");
    assert.equal(await budgetOption.isDisabled(), true);
    assert.equal(await bobDlg.getByLabel("Salon de l'objectif").inputValue(), voirie);
    await screenshot(bobPage, "objectives-edit-other-council-dialog");
    await bobPage.keyboard.press("Escape");

    // Bob, the owner (level 0), deletes the objective: a confirmation first (focus on it; "Annuler"
    // gives the focus back), then the card goes, on both councils.
    await bobCard.getByRole("button", { name: "Supprimer l'objectif « Sécuriser les routes »" }).click();
    assert.equal(await focusedText(bobPage), "Supprimer définitivement");
    await bobPage.keyboard.press("Tab");
    await bobPage.keyboard.press("Enter"); // "Annuler"
    assert.equal(await focusedText(bobPage), "Supprimer l'objectif « Sécuriser les routes »");
    await bobCard.getByRole("button", { name: "Supprimer l'objectif « Sécuriser les routes »" }).click();
    await bobCard.getByRole("group").getByText("Supprimer l'objectif « Sécuriser les routes » ?", { exact: false }).waitFor();
    await bobCard.getByRole("button", { name: "Supprimer définitivement" }).click();
    await bobPage.getByText("Aucun objectif : créez le premier").waitFor({ timeout: 60_000 });
    assert.equal(await focusedText(bobPage), "Nouvel objectif", "focus on the dashboard's first action");
    const deleted = await fetch(`${a}/_matrix/client/v1/rooms/${encodeURIComponent(voirie)}/relations/${encodeURIComponent(objectiveId)}/m.reference/${OBJECTIVE_UPDATE}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    const updates = ((await deleted.json()) as { chunk: { sender: string; content: Record<string, unknown> }[] }).chunk;
    assert.equal(updates.filter((u) => u.content["delete"] === true && u.sender === bob.userId).length, 1, "one delete update, from Bob");
    await page.reload();
    await nav.getByRole("link", { name: "Objectifs" }).click({ timeout: 90_000 });
    await page.getByRole("heading", { name: "Objectifs — Groupe Voirie" }).waitFor({ timeout: 60_000 }); // the only group: opened directly
    await page.getByText("Aucun objectif : créez le premier").waitFor({ timeout: 60_000 });
    assert.equal(chaussee.startsWith("$"), true);
  });
});

// Issue 15 acceptance, the web client in Chromium with two councils: an agent of A creates a
// dossier in a working group, uploads three files (one above the configured large-file threshold,
// so it goes in encrypted parts with a manifest) and a new version of one, makes a folder and moves
// a file into it; an agent of B, invited, sees the same tree and downloads every version
// byte-identical (SHA-256 of what the page saved against the originals). The server only ever
// holds ciphertext: the originals' bytes are looked for in A's media store.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Download, Page } from "playwright-core";
import { screenshot, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi, saveRecoveryKey, signIn as fillSignIn, useCouncilsClient } from "../harness/client-pages.ts";
import { solidPng } from "../harness/png.ts";
import { rowAction } from "../harness/dossier-pages.ts";
import { explainInvite, pageAccessToken, recordSyncs } from "../harness/invite-diagnostics.ts";

const A = "ville-a.test";
const B = "agglo-b.test";
/** Above this a file goes in parts (config.json of the served client). */
const THRESHOLD = 1024 * 1024;

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Every file under a directory. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name))));
    else if (e.isFile()) out.push(join(dir, e.name));
  }
  return out;
}

async function signIn(page: Page, web: string, council: string, user: string): Promise<void> {
  await fillSignIn(page, web, council, user);
  await saveRecoveryKey(page);
}

/** The grid row whose name cell shows `name` (other cells, such as the move menu, may name folders too). */
const row = (page: Page, name: string) => page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });

/** Clicks a download button and returns what the page saved (name and bytes). */
async function download(page: Page, button: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.getByRole("button", { name: button, exact: true }).click()]) as [Download, unknown];
  return { name: d.suggestedFilename(), bytes: await readFile(await d.path()) };
}

/**
 * Routes `page`'s uploads: the first PUT goes through (`first` resolves once its answer was handed
 * to the page); every later one is held (`held` resolves at the first) until `drop()`, which aborts
 * them; PUTs after that go through. Parts go two PUTs at a time (PARTS_IN_FLIGHT), so holding only
 * the second would let the third through. `sent()` lists the URLs of the PUTs that went through
 * (one media id per part and for the manifest).
 */
async function holdAfterFirstUpload(page: Page): Promise<{ first: Promise<void>; held: Promise<void>; drop: () => void; sent: () => string[] }> {
  let n = 0;
  let onFirst!: () => void;
  const first = new Promise<void>((r) => { onFirst = r; });
  let onHeld!: () => void;
  const held = new Promise<void>((r) => { onHeld = r; });
  let dropped = false;
  let drop!: () => void;
  const dropping = new Promise<void>((r) => { drop = () => { dropped = true; r(); }; });
  const sent: string[] = [];
  await page.route("**/_matrix/media/v3/upload/**", async (route) => {
    const i = ++n;
    if (i > 1 && !dropped) {
      onHeld();
      await dropping;
      await route.abort().catch(() => undefined);
      return;
    }
    sent.push(route.request().url());
    if (i > 1) return route.continue();
    const res = await route.fetch();
    await route.fulfill({ response: res });
    onFirst();
  });
  return { first, held, drop, sent: () => [...sent] };
}

describe("dossiers in the web client, two councils (Chromium)", function () {
  this.timeout(240_000);
  const app = useCouncilsClient([A, B], { extraConfig: { dossiers: { large_file_threshold: THRESHOLD } }, users: { alice: A, bob: B } });
  let alice: Page;
  let bob: Page;

  it("A builds a dossier tree with versions and a folder; B sees the same tree and gets every version byte-identical", async () => {
    const newPage = (): Promise<Page> => app.newPage({ acceptDownloads: true, locale: "fr-FR" });
    alice = await newPage();
    bob = await newPage();
    const bobSyncs = recordSyncs(bob);
    let creates = 0;
    alice.on("request", (r) => { if (r.method() === "POST" && r.url().includes("/_matrix/media/v1/create")) creates++; });
    await Promise.all([signIn(alice, app.web.url, A, "alice"), signIn(bob, app.web.url, B, "bob")]);

    // A working group, then a dossier in it from the "Dossiers" view.
    await alice.getByRole("button", { name: "Nouvel espace de travail" }).click();
    await alice.getByRole("dialog").getByLabel("Nom").fill("Mobilité");
    await alice.getByRole("dialog").getByRole("button", { name: "Créer" }).click();
    await alice.getByRole("region", { name: "Mobilité" }).waitFor();
    await alice.getByRole("link", { name: "Dossiers", exact: true }).click();
    const createForm = alice.getByRole("form", { name: "Nouveau dossier dans Mobilité" });
    await createForm.getByLabel("Nom du dossier").fill("Étude mobilité 2026");
    await createForm.getByRole("button", { name: "Nouveau dossier dans Mobilité" }).click();
    await alice.getByRole("heading", { name: "Étude mobilité 2026" }).waitFor({ timeout: 30_000 });
    await alice.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 30_000 });
    const dossierUrl = alice.url();
    const roomId = decodeURIComponent(/#\/dossier\/(.+)$/.exec(dossierUrl)?.[1] ?? "");
    assert.match(roomId, /^!/);

    // Server side: the room's type and encryption, and its link from the space.
    const aliceToken = (JSON.parse((await alice.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken: string }).accessToken;
    const state = (await (await fetch(`${app.fed.get(A).url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`, { headers: { Authorization: `Bearer ${aliceToken}` } })).json()) as { type: string; state_key: string; content: Record<string, unknown> }[];
    assert.equal(state.find((e) => e.type === "m.room.create")?.content["type"], "fr.entente.dossier");
    assert.equal(state.find((e) => e.type === "m.room.encryption")?.content["algorithm"], "m.megolm.v1.aes-sha2");
    assert.ok(state.some((e) => e.type === "m.space.parent"), "linked to its working group");

    // B is invited (to the working group too), accepts both and opens the dossier.
    await alice.getByLabel("Inviter dans le dossier (identifiant, toute collectivité)").fill(`@bob:${B}`);
    await alice.getByRole("button", { name: "Inviter", exact: true }).click();
    await alice.getByText("Invitation envoyée.").waitFor({ timeout: 30_000 });
    // an invitation that never shows leaves tests/artifacts/dossiers-invites.json (what Bob's client was told, what B says)
    const bobCheck = async (roomName: string) => ({ page: bob, base: app.fed.get(B).url, accessToken: await pageAccessToken(bob), syncs: bobSyncs, roomName, name: "dossiers-invites" });
    await explainInvite(bob.getByRole("button", { name: "Accepter : Mobilité" }).click({ timeout: 60_000 }), await bobCheck("Mobilité"));
    // The dossier's invitation, accepted from the dossiers list (its type is known from the invite).
    await bob.getByRole("link", { name: "Dossiers", exact: true }).click();
    await explainInvite(bob.getByRole("button", { name: "Accepter l'invitation au dossier Étude mobilité 2026" }).click({ timeout: 60_000 }), await bobCheck("Étude mobilité 2026"));
    await bob.getByRole("heading", { name: "Étude mobilité 2026" }).waitFor({ timeout: 60_000 });
    await bob.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 30_000 });

    // Three files: a spreadsheet, an image (thumbnail), a study above the threshold (parts).
    const budget1 = randomBytes(40_000);
    const budget2 = Buffer.concat([budget1, randomBytes(5_000)]);
    const png = solidPng(64, 48, [30, 120, 200]);
    const study = randomBytes(THRESHOLD * 2 + 12_345);
    await alice.locator("input#files").setInputFiles([
      { name: "budget.ods", mimeType: "application/vnd.oasis.opendocument.spreadsheet", buffer: budget1 },
      { name: "plan.png", mimeType: "image/png", buffer: png },
      { name: "etude.bin", mimeType: "application/octet-stream", buffer: study },
    ]);
    for (const n of ["budget.ods", "plan.png", "etude.bin"]) await row(alice, n).waitFor({ timeout: 60_000 });
    assert.equal(creates, 4, "the study went in 3 parts plus a manifest (asynchronous uploads)");
    await row(alice, "plan.png").getByRole("img", { name: "Aperçu de plan.png" }).waitFor({ timeout: 30_000 });

    // A new version of the spreadsheet, from the row's menu (the item opens the file picker).
    const [chooser] = await Promise.all([alice.waitForEvent("filechooser"), rowAction(alice, "budget.ods", "Nouvelle version de budget.ods")]);
    await chooser.setFiles({ name: "budget.ods", mimeType: "application/vnd.oasis.opendocument.spreadsheet", buffer: budget2 });
    await row(alice, "budget.ods").getByRole("gridcell").nth(4).getByText("2", { exact: true }).waitFor({ timeout: 60_000 });

    // A folder, and the study moved into it.
    await alice.getByLabel("Nom du sous-dossier").fill("Études");
    await alice.getByRole("button", { name: "Nouveau sous-dossier" }).click();
    await row(alice, "Études").waitFor({ timeout: 30_000 });
    // Keyboard: the list has the focus; an arrow key picks « Études » (a closed list fires
    // `change` at each one) and moves nothing until « Déplacer » is pressed.
    await rowAction(alice, "etude.bin", "Déplacer etude.bin");
    const moveTo = row(alice, "etude.bin").getByLabel("Déplacer etude.bin vers");
    assert.equal(await moveTo.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "the list has the focus");
    await alice.keyboard.press("ArrowDown");
    assert.equal(await moveTo.evaluate((el) => (el as unknown as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text), "Études", "the arrow key picked the folder");
    assert.equal(await moveTo.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "still choosing: nothing moved");
    await alice.keyboard.press("Tab");
    await alice.keyboard.press("Enter");
    await row(alice, "etude.bin").waitFor({ state: "detached", timeout: 30_000 });
    assert.deepEqual(await seriousA11yViolations(alice), [], "folder view accessible");
    await screenshot(alice, "dossier-folder-view");

    // B sees the same tree (live, decrypted on B's council).
    await row(bob, "Études").waitFor({ timeout: 60_000 });
    await row(bob, "budget.ods").getByRole("gridcell").nth(4).getByText("2", { exact: true }).waitFor({ timeout: 60_000 });
    await row(bob, "plan.png").waitFor({ timeout: 30_000 });
    await row(bob, "etude.bin").waitFor({ state: "detached", timeout: 30_000 });
    const bobRows = await bob.getByRole("grid").locator("tbody tr").allTextContents();
    assert.equal(bobRows.length, 3, `top level: the folder and two files, got ${bobRows.join(" | ")}`);
    assert.match(bobRows[0] ?? "", /Études/, "folders first");
    assert.match((await row(bob, "budget.ods").textContent()) ?? "", /alice/, "who uploaded");

    // Every version, byte-identical on B.
    const checks: [string, Buffer, string][] = [];
    let got = await download(bob, "Télécharger plan.png");
    checks.push(["plan.png", png, sha256(got.bytes)]);
    assert.equal(got.name, "plan.png");
    await rowAction(bob, "budget.ods", "Historique des versions de budget.ods");
    got = await download(bob, "Télécharger la version 1 de budget.ods");
    checks.push(["budget.ods v1", budget1, sha256(got.bytes)]);
    assert.equal(got.name, "budget.ods");
    got = await download(bob, "Télécharger la version 2 de budget.ods");
    checks.push(["budget.ods v2", budget2, sha256(got.bytes)]);
    await bob.getByRole("tree", { name: "Dossiers et sous-dossiers" }).getByRole("treeitem", { name: "Études", exact: true }).click();
    await row(bob, "etude.bin").waitFor({ timeout: 30_000 });
    got = await download(bob, "Télécharger etude.bin");
    checks.push(["etude.bin (parts)", study, sha256(got.bytes)]);
    assert.equal(got.name, "etude.bin");
    for (const [what, original, page] of checks) assert.equal(page, sha256(original), `${what}: byte-identical on B`);
    await screenshot(bob, "dossier-other-council");

    // The files are ordinary m.file / m.image messages: the room's plain timeline offers them too.
    await bob.goto(`${app.web.url}#/room/${encodeURIComponent(roomId)}`);
    const [fromTimeline] = await Promise.all([bob.waitForEvent("download", { timeout: 60_000 }),
      bob.getByRole("button", { name: /Télécharger budget\.ods/ }).last().click({ timeout: 60_000 })]);
    assert.equal(sha256(await readFile(await fromTimeline.path())), sha256(budget2), "the latest version from the ordinary timeline");
    await bob.goto(dossierUrl);
    await bob.getByRole("heading", { name: "Étude mobilité 2026" }).waitFor({ timeout: 60_000 });

    // A's media store holds ciphertext only: no stored file contains any original's first 64 bytes.
    const stored = await Promise.all((await filesUnder(app.fed.get(A).config.media.path)).map((f) => readFile(f)));
    assert.ok(stored.length >= 8, `2 files, 3 parts, a manifest, a thumbnail and a version stored, got ${stored.length}`);
    for (const [what, original] of checks) assert.ok(!stored.some((b) => b.includes(original.subarray(0, 64))), `${what}: no plaintext on A's server`);

    // Search over the decrypted names, from the top.
    await bob.getByLabel("Rechercher par nom").fill("ETUDE");
    await row(bob, "etude.bin").waitFor();
  });

  it("renames, deletes and restores, sorts, filters, cancels an upload, takes a dropped file, keyboard and English", async () => {
    // Rename on A, seen on B.
    await alice.getByRole("navigation", { name: "Emplacement" }).getByRole("link", { name: "Racine du dossier" }).click();
    await rowAction(alice, "budget.ods", "Renommer budget.ods");
    assert.equal(await alice.getByLabel("Nouveau nom de budget.ods").evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "the rename field has the focus");
    await alice.getByLabel("Nouveau nom de budget.ods").fill("budget-2026.ods");
    await alice.getByRole("button", { name: "Enregistrer" }).click();
    await row(alice, "budget-2026.ods").waitFor({ timeout: 30_000 });
    await bob.getByLabel("Rechercher par nom").fill("");
    await bob.getByRole("navigation", { name: "Emplacement" }).getByRole("link", { name: "Racine du dossier" }).click();
    await row(bob, "budget-2026.ods").waitFor({ timeout: 60_000 });

    // Delete, then restore from the bin.
    await rowAction(alice, "plan.png", "Supprimer plan.png");
    await row(alice, "plan.png").waitFor({ state: "detached", timeout: 30_000 });
    await row(bob, "plan.png").waitFor({ state: "detached", timeout: 60_000 });
    await alice.getByLabel("Corbeille (éléments supprimés)").check();
    await row(alice, "plan.png").getByRole("button", { name: "Restaurer plan.png" }).click();
    await alice.getByText("La corbeille est vide.").waitFor({ timeout: 30_000 });
    await alice.getByLabel("Corbeille (éléments supprimés)").uncheck();
    await row(alice, "plan.png").waitFor({ timeout: 30_000 });

    // Sort by size, largest first (folders stay on top); a filter that matches nothing.
    await alice.getByLabel("Trier par").selectOption("size");
    await alice.getByLabel("Ordre décroissant").check();
    const order = await alice.getByRole("grid").locator("tbody tr td:first-child").allTextContents();
    assert.deepEqual(order.map((t) => t.trim().replace(/^📁\s*/, "")), ["Études", "budget-2026.ods", "plan.png"]);
    await alice.getByLabel("Rechercher par nom").fill("zzz");
    await alice.getByText("Aucun élément ne correspond à « zzz ».").waitFor();
    await alice.getByLabel("Rechercher par nom").fill("");

    // An upload held at the network, cancelled: progress shown, nothing published.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    await alice.route("**/_matrix/media/v3/upload/**", async (route) => { await held; await route.abort().catch(() => undefined); });
    await alice.locator("input#files").setInputFiles({ name: "annule.bin", mimeType: "application/octet-stream", buffer: randomBytes(THRESHOLD + 100) });
    await alice.getByRole("progressbar", { name: "Envoi de annule.bin" }).waitFor({ timeout: 30_000 });
    await alice.getByRole("button", { name: "Annuler l'envoi de annule.bin" }).click();
    await alice.getByText("Envoi de annule.bin annulé.").waitFor({ timeout: 30_000 });
    release();
    await alice.unroute("**/_matrix/media/v3/upload/**");

    // A file in parts paused while its next parts are on the wire, then resumed: only the missing
    // parts go again (through: part 1, then parts 2 and 3 and the manifest, each once), and B gets it whole.
    const resumed = randomBytes(THRESHOLD * 2 + 777);
    const paused = await holdAfterFirstUpload(alice);
    await alice.locator("input#files").setInputFiles({ name: "reprise.bin", mimeType: "application/octet-stream", buffer: resumed });
    // paused once part 1 is answered (two PUTs go at a time: paused before its answer, part 1 would rightly go again)
    await Promise.all([paused.first, paused.held]);
    await alice.getByRole("button", { name: "Mettre en pause l'envoi de reprise.bin" }).click();
    await alice.getByRole("button", { name: "Reprendre l'envoi de reprise.bin" }).waitFor({ timeout: 30_000 });
    paused.drop();
    await alice.getByRole("button", { name: "Reprendre l'envoi de reprise.bin" }).click();
    await row(alice, "reprise.bin").waitFor({ timeout: 60_000 });
    await alice.unroute("**/_matrix/media/v3/upload/**");
    const through = paused.sent();
    assert.equal(new Set(through).size, through.length, `after the pause only the cut parts and the manifest were sent, none twice: ${through.join(", ")}`);
    await row(bob, "reprise.bin").waitFor({ timeout: 60_000 });
    const again = await download(bob, "Télécharger reprise.bin");
    assert.equal(sha256(again.bytes), sha256(resumed), "a resumed upload arrives byte-identical on B");

    // A reload while a file in parts is on its second part: afterwards the upload is listed as
    // interrupted; a different file is refused; the same file sends only what was not acknowledged
    // (part 2, part 3, the manifest), and B gets it byte-identical.
    const reloaded = randomBytes(THRESHOLD * 2 + 999);
    // Files on disk: a picked file keeps its lastModified (a buffer gets a new one at each pick,
    // which the resume refuses as "modified since" before reading any content).
    const onDisk = join(await mkdtemp(join(tmpdir(), "entente-recharge-")), "recharge.bin");
    await writeFile(onDisk, reloaded);
    // a whole second, so the look-alike below can carry exactly the same lastModified
    const modified = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(onDisk, modified, modified);
    const cut = await holdAfterFirstUpload(alice);
    await alice.locator("input#files").setInputFiles(onDisk);
    await Promise.all([cut.first, cut.held]);
    // The held PUT never reaches the server: the page is reloaded under it, then it is dropped.
    await alice.reload();
    cut.drop();
    await alice.getByText("recharge.bin (2 Mo) : 1 sur 3 parties envoyées").waitFor({ timeout: 120_000 });
    let putsAfter = 0;
    alice.on("request", (r) => { if (r.method() === "PUT" && r.url().includes("/_matrix/media/v3/upload/")) putsAfter++; });
    const pick = alice.getByLabel("Reprendre l'envoi de recharge.bin (choisissez le même fichier)");
    // same name, size and lastModified, one byte changed in the acknowledged part: refused by its ciphertext hash
    const lookalike = Buffer.from(reloaded);
    lookalike[5000] = lookalike[5000]! ^ 1;
    const lookalikeOnDisk = join(await mkdtemp(join(tmpdir(), "entente-recharge-")), "recharge.bin");
    await writeFile(lookalikeOnDisk, lookalike);
    await utimes(lookalikeOnDisk, modified, modified);
    await pick.setInputFiles(lookalikeOnDisk);
    await alice.getByText("Ce n'est pas le fichier dont l'envoi a été interrompu", { exact: false }).waitFor();
    assert.equal(putsAfter, 0, "nothing sent for a file of the same name and size but other content");
    await alice.getByRole("heading", { name: "Envois interrompus" }).waitFor();
    await pick.setInputFiles({ name: "recharge.bin", mimeType: "application/octet-stream", buffer: randomBytes(1000) });
    await pick.setInputFiles(onDisk);
    await row(alice, "recharge.bin").waitFor({ timeout: 60_000 });
    await alice.unroute("**/_matrix/media/v3/upload/**");
    assert.equal(putsAfter, 3, "after the reload: the cut part, the last part and the manifest");
    await alice.getByRole("heading", { name: "Envois interrompus" }).waitFor({ state: "detached" });
    await row(bob, "recharge.bin").waitFor({ timeout: 60_000 });
    assert.equal(sha256((await download(bob, "Télécharger recharge.bin")).bytes), sha256(reloaded), "resumed after a reload, byte-identical on B");

    // A dropped file goes up (then the cancelled one, had it been sent, would be listed before it).
    const dt = await alice.evaluateHandle(() => {
      // Page globals, typed here: the root build has no DOM library.
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: string[], name: string, o: { type: string }) => unknown };
      const d = new g.DataTransfer();
      d.items.add(new g.File(["compte rendu du 6 décembre"], "compte-rendu.txt", { type: "text/plain" }));
      return d;
    });
    await alice.locator("ent-dossier").dispatchEvent("drop", { dataTransfer: dt });
    await row(alice, "compte-rendu.txt").waitFor({ timeout: 30_000 });
    await row(bob, "compte-rendu.txt").waitFor({ timeout: 60_000 });
    assert.equal(await row(alice, "annule.bin").count(), 0, "a cancelled upload publishes nothing");
    assert.equal(await row(bob, "annule.bin").count(), 0);

    // Keyboard: the folder tree (Down, Enter).
    await alice.getByRole("treeitem", { name: /^Racine du dossier/ }).focus();
    await alice.keyboard.press("ArrowDown");
    await alice.keyboard.press("Enter");
    await alice.getByRole("navigation", { name: "Emplacement" }).getByRole("link", { name: "Études" }).and(alice.locator("[aria-current=page]")).waitFor();
    await row(alice, "etude.bin").waitFor();
    // In the grid, Down from a row's button moves to the next row.
    await alice.getByRole("navigation", { name: "Emplacement" }).getByRole("link", { name: "Racine du dossier" }).click();
    await row(alice, "budget-2026.ods").getByRole("button", { name: "Télécharger budget-2026.ods" }).focus();
    await alice.keyboard.press("ArrowDown");
    const focusedRow = await alice.getByRole("grid").locator("tbody tr").evaluateAll((rows) => rows.findIndex((r) => (r.getRootNode() as unknown as { activeElement: unknown }).activeElement === r));
    const budgetRow = await alice.getByRole("grid").locator("tbody tr").evaluateAll((rows) => rows.findIndex((r) => (r.textContent ?? "").includes("budget-2026.ods")));
    assert.equal(focusedRow, budgetRow + 1, "the next row has the focus");
    // The row's menu « Actions » (WAI-ARIA menu button): Down opens it on its first item and does
    // not move the grid's row; Escape gives the focus back; a right click on the row opens it too.
    const menuButton = row(alice, "budget-2026.ods").getByRole("button", { name: "Actions pour budget-2026.ods" });
    await menuButton.focus();
    await alice.keyboard.press("ArrowDown");
    assert.equal(await menuButton.getAttribute("aria-expanded"), "true");
    const first = row(alice, "budget-2026.ods").getByRole("menuitem", { name: "Nouvelle version de budget-2026.ods" });
    assert.equal(await first.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "the first item has the focus");
    await alice.keyboard.press("End");
    await row(alice, "budget-2026.ods").getByRole("menuitem", { name: "Supprimer budget-2026.ods" }).waitFor();
    await screenshot(alice, "dossier-row-menu");
    assert.deepEqual(await seriousA11yViolations(alice), [], "row menu open: accessible");
    await alice.keyboard.press("Escape");
    assert.equal(await menuButton.getAttribute("aria-expanded"), "false");
    assert.equal(await menuButton.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "Escape: the focus is back on the menu button");
    await row(alice, "plan.png").locator("td").nth(3).click({ button: "right" });
    await row(alice, "plan.png").getByRole("menuitem", { name: "Renommer plan.png" }).waitFor();
    await alice.keyboard.press("Escape");

    // Rights: B's role made read-only (the dossier's updates need 50, B has 0): B's row menu keeps
    // the changes, aria-disabled with the reason; Partager stays available; the toolbar too.
    const token = (JSON.parse((await alice.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken: string }).accessToken;
    const levelsPath = `/rooms/${encodeURIComponent(decodeURIComponent(/#\/dossier\/(.+)$/.exec(bob.url())?.[1] ?? ""))}/state/m.room.power_levels/`;
    const levels = await clientApi(app.fed.get(A).url, { accessToken: token }, "GET", levelsPath);
    await clientApi(app.fed.get(A).url, { accessToken: token }, "PUT", levelsPath, { ...levels, events: { ...(levels["events"] as Record<string, number>), "fr.entente.file.update": 50 } });
    await row(bob, "budget-2026.ods").getByRole("button", { name: "Actions pour budget-2026.ods" }).click();
    const renameItem = row(bob, "budget-2026.ods").locator('[role="menuitem"][aria-label="Renommer budget-2026.ods"]');
    await row(bob, "budget-2026.ods").locator('[role="menuitem"][aria-disabled="true"][aria-label="Renommer budget-2026.ods"]').waitFor({ timeout: 60_000 });
    assert.equal(await renameItem.getAttribute("title"), "Votre rôle dans ce dossier ne permet pas de le modifier (lecture seule).");
    assert.equal(await row(bob, "budget-2026.ods").getByRole("menuitem", { name: "Partager budget-2026.ods avec un citoyen" }).getAttribute("aria-disabled"), null);
    await renameItem.click({ force: true });
    assert.equal(await bob.getByLabel("Nouveau nom de budget-2026.ods").count(), 0, "a disabled item does nothing");
    await bob.keyboard.press("Escape");
    // …and the toolbar: no sub-folder, no file to add, the reason shown and tied to the fields.
    assert.equal(await bob.getByLabel("Ajouter des fichiers").isDisabled(), true);
    assert.equal(await bob.getByRole("button", { name: "Nouveau sous-dossier" }).isDisabled(), true);
    assert.equal(await bob.locator("#read-only").textContent(), "Votre rôle dans ce dossier ne permet pas de le modifier (lecture seule).");
    assert.equal(await bob.getByLabel("Ajouter des fichiers").getAttribute("aria-describedby"), "read-only");

    // English.
    await alice.getByLabel("Langue").selectOption("en");
    await alice.getByRole("columnheader", { name: "Uploaded by" }).waitFor();
    await alice.getByRole("button", { name: "Download budget-2026.ods" }).waitFor();
    await alice.getByRole("navigation", { name: "Location" }).getByRole("link", { name: "Dossier root" }).click();
    await alice.getByLabel("Search by name").fill("nothing-like-this");
    await alice.getByText("Nothing matches “nothing-like-this”.").waitFor();
    assert.deepEqual(await seriousA11yViolations(alice), [], "folder view accessible in English too");
  });
});

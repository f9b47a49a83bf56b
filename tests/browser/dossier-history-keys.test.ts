// Issue 15, "members of partner councils get access by being invited": the files uploaded to a
// dossier BEFORE an agent of another council was invited are readable by them. Alice (A) uploads
// two files, then invites Bob (B), who has not signed in yet: at the invite, Bob has no device to
// send the room's keys to (matrix-js-sdk's invite() shares the history's key bundle, MSC4268, with
// the devices known then). Bob signs in, joins; Alice's client shares the bundle again when he
// joins (dossier-members-history.ts). Bob's to-device messages are held until his dossier view
// has said that 2 items wait for their key (not « vide »); once released, both files show, and one
// downloads byte-identical. On the old code Bob's view stays « Ce dossier est vide ». Then Carol
// joins a second dossier while Alice's client is not running (about:blank): when Alice opens
// Entente again, her client finds the join in the dossier's timeline and shares the keys.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Download, Page } from "playwright-core";
import { waitFor } from "../harness/homeserver.ts";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { saveRecoveryKey, signIn, useCouncilsClient } from "../harness/client-pages.ts";
import { dossierRow as row, signInWithNewDossier } from "../harness/dossier-pages.ts";

const A = "ville-a.test";
const B = "agglo-b.test";

interface SyncBody { to_device?: { events?: unknown[] } }

/** Holds every to-device message of `page`'s syncs until `release()`; they come in the next sync (its long poll may take 30 s). */
async function holdToDevice(page: Page): Promise<{ held: () => number; release: () => void }> {
  let holding = true;
  const held: unknown[] = [];
  await page.route((u) => u.pathname.endsWith("/sync"), async (route) => {
    // No timeout: a long poll may outlast route.fetch's default 30 s, which would leave the sync hanging.
    const response = await route.fetch({ timeout: 0 });
    const body = (await response.json()) as SyncBody;
    if (holding) {
      held.push(...(body.to_device?.events ?? []));
      body.to_device = { events: [] };
    } else if (held.length > 0) {
      body.to_device = { events: [...held.splice(0), ...(body.to_device?.events ?? [])] };
    }
    await route.fulfill({ response, json: body });
  });
  return { held: () => held.length, release: () => { holding = false; } };
}

/** The page's console lines about key bundles (MSC4268), for the failure message. */
function bundleLog(page: Page): string[] {
  const lines: string[] = [];
  page.on("console", (m) => { if (/bundle|shareRoomHistory|message history|history not shared/i.test(m.text())) lines.push(m.text().slice(0, 300)); });
  return lines;
}

describe("dossiers: files uploaded before an agent of another council was invited (Chromium)", function () {
  this.timeout(300_000);
  const app = useCouncilsClient([A, B], { users: { alice: A, bob: B, carol: B } });
  let alice: Page | undefined;
  let bob: Page | undefined;
  let carol: Page | undefined;
  screenshotOnFailure("dossier-history-keys-bob", () => bob);
  screenshotOnFailure("dossier-history-keys-carol", () => carol);

  it("B, invited before he ever signed in, joins and reads both files (after saying they wait for their key), one downloaded byte-identical", async () => {
    const a = alice = await app.newPage({ locale: "fr-FR" });
    const b = bob = await app.newPage({ locale: "fr-FR" });
    const aliceLog = bundleLog(a);
    const bobLog = bundleLog(b);
    const logs = (): string => `\nalice: ${aliceLog.join("\n  ")}\nbob: ${bobLog.join("\n  ")}`;

    await signInWithNewDossier(a, app.web.url, "alice", "Urbanisme", "Voirie 2027");
    const rapport = randomBytes(40_000);
    await a.locator("input#files").setInputFiles([
      { name: "rapport.bin", mimeType: "application/octet-stream", buffer: rapport },
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("Réunion du 3 mars : tracé validé.\n") },
    ]);
    for (const n of ["rapport.bin", "notes.txt"]) await row(a, n).waitFor({ timeout: 60_000 });

    // Bob has no device yet: the bundle sent with the invite reaches nobody.
    await a.getByLabel("Inviter dans le dossier (identifiant, toute collectivité)").fill(`@bob:${B}`);
    await a.getByRole("button", { name: "Inviter", exact: true }).click();
    await a.getByText("Invitation envoyée.").waitFor({ timeout: 30_000 });

    const hold = await holdToDevice(b);
    await signIn(b, app.web.url, B, "bob");
    await saveRecoveryKey(b);
    await b.getByRole("button", { name: "Accepter : Urbanisme" }).click({ timeout: 60_000 });
    await b.getByRole("link", { name: "Dossiers", exact: true }).click();
    await b.getByRole("button", { name: "Accepter l'invitation au dossier Voirie 2027" }).click({ timeout: 60_000 });

    // The keys held back: the view says two items wait for theirs, and not « vide ».
    await b.getByText("2 éléments de ce dossier sont en attente de leur clé de déchiffrement", { exact: false }).waitFor({ timeout: 60_000 });
    assert.equal(await b.getByText("Ce dossier est vide").count(), 0, "not said empty while two events wait for their key");
    assert.deepEqual(await seriousA11yViolations(b), [], "the waiting notice is accessible");
    await screenshot(b, "dossier-waiting-keys");
    // Alice's client shares the bundle again when Bob joins: a to-device message for him is held.
    await waitFor(`a to-device message for Bob (the key bundle) after he joined${logs()}`, () => (hold.held() > 0 ? true : undefined), 60_000);
    hold.release();

    for (const n of ["rapport.bin", "notes.txt"]) {
      await row(b, n).waitFor({ timeout: 90_000 }).catch((e: unknown) => { throw new Error(`${n} not shown to Bob: ${String(e)}${logs()}`); });
    }
    await b.getByText("en attente de leur clé", { exact: false }).waitFor({ state: "detached", timeout: 30_000 });
    const [d] = await Promise.all([b.waitForEvent("download", { timeout: 60_000 }), b.getByRole("button", { name: "Télécharger rapport.bin", exact: true }).click()]) as [Download, unknown];
    assert.ok((await readFile(await d.path())).equals(rapport), "rapport.bin byte-identical on B");
  });

  it("C joins while the inviter's client is not running: once it starts again, it shares the keys and C reads the file", async () => {
    const a = alice;
    assert.ok(a !== undefined, "Alice's page from the first test");
    await a.getByRole("link", { name: "Dossiers", exact: true }).click();
    const form = a.getByRole("form", { name: "Nouveau dossier dans Urbanisme" });
    await form.getByLabel("Nom du dossier").fill("Voirie 2028");
    await form.getByRole("button", { name: "Nouveau dossier dans Urbanisme" }).click();
    await a.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 30_000 });
    const plan = randomBytes(30_000);
    await a.locator("input#files").setInputFiles({ name: "plan.bin", mimeType: "application/octet-stream", buffer: plan });
    await row(a, "plan.bin").waitFor({ timeout: 60_000 });
    await a.getByLabel("Inviter dans le dossier (identifiant, toute collectivité)").fill(`@carol:${B}`);
    await a.getByRole("button", { name: "Inviter", exact: true }).click();
    await a.getByText("Invitation envoyée.").waitFor({ timeout: 30_000 });
    // Alice's client stops (her session and keys stay in the browser's storage).
    await a.goto("about:blank");

    const c = carol = await app.newPage({ locale: "fr-FR" });
    const carolLog = bundleLog(c);
    await signIn(c, app.web.url, B, "carol");
    await saveRecoveryKey(c);
    await c.getByRole("button", { name: "Accepter : Urbanisme" }).click({ timeout: 60_000 });
    await c.getByRole("link", { name: "Dossiers", exact: true }).click();
    await c.getByRole("button", { name: "Accepter l'invitation au dossier Voirie 2028" }).click({ timeout: 60_000 });
    await c.getByText("1 élément de ce dossier est en attente de sa clé de déchiffrement", { exact: false }).waitFor({ timeout: 60_000 });

    // Alice opens Entente again: her client sees Carol's join in the dossier's timeline and shares the keys.
    const aliceLog = bundleLog(a);
    await a.goto(app.web.url);
    await row(c, "plan.bin").waitFor({ timeout: 90_000 }).catch((e: unknown) => {
      throw new Error(`plan.bin not shown to Carol: ${String(e)}\nalice: ${aliceLog.join("\n  ")}\ncarol: ${carolLog.join("\n  ")}`);
    });
    const [d] = await Promise.all([c.waitForEvent("download", { timeout: 60_000 }), c.getByRole("button", { name: "Télécharger plan.bin", exact: true }).click()]) as [Download, unknown];
    assert.ok((await readFile(await d.path())).equals(plan), "plan.bin byte-identical on C");
  });
});

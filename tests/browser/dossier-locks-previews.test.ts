// Issue 15, advisory locks and PDF previews in the web client (Chromium, two councils): Alice on A
// says she is editing a file (« Signaler que je le modifie », a picked duration); Bob on B sees
// « En cours de modification par alice jusqu'à … » and may not take it; Alice sends a new version
// and is offered to release it, releases it, Bob sees that; a lock that ends goes from Bob's row
// by itself (no new event: Bob's clock is moved past its end); a dossier whose power levels do not
// let members lock says so. A PDF's
// first page is drawn in the page (pdf.js, after decryption) in the file's details: the image is
// checked for the page's colours; a damaged PDF shows the plain file icon. Times of day: a lock's end
// reads « HH:MM » or « demain HH:MM » (after midnight), both accepted, so the test passes at any hour.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { screenshot, screenshotOnFailure, seriousA11yViolations } from "../harness/browser.ts";
import { clientApi, saveRecoveryKey, signIn, useCouncilsClient } from "../harness/client-pages.ts";
import { dossierRow as row, rowAction } from "../harness/dossier-pages.ts";
import { explainInvite, recordSyncs } from "../harness/invite-diagnostics.ts";

const A = "ville-a.test";
const B = "agglo-b.test";
const LOCK = "fr.entente.file.lock";
/** A lock's end as its row says it, whatever the hour: « 15:30 », or « demain 00:10 » once it passes midnight. */
const UNTIL = String.raw`(?:demain )?\d\d:\d\d`;
const UNTIL_EN = String.raw`(?:tomorrow )?\d\d:\d\d`;

/** A one-page PDF (200 × 300 pt, white) with a filled rectangle of colour `rgb` (0-1) over its upper half. */
function onePagePdf(rgb: [number, number, number]): Buffer {
  const draw = `${rgb.join(" ")} rg 20 150 160 130 re f`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /Contents 4 0 R /Resources << >> >>",
    `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`,
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** Share of the image's pixels close to `rgb` (0-255), and of white ones, drawn on a canvas in the page. */
async function colours(page: Page, name: string, rgb: [number, number, number]): Promise<{ colour: number; white: number; width: number }> {
  const img = page.getByRole("img", { name });
  await img.waitFor({ timeout: 60_000 });
  return img.evaluate(async (el, want) => {
    interface Ctx { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
    const image = el as unknown as { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
    await image.decode();
    const doc = (globalThis as unknown as { document: { createElement(t: "canvas"): { width: number; height: number; getContext(k: "2d"): Ctx | null } } }).document;
    const canvas = doc.createElement("canvas");
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const ctx = canvas.getContext("2d");
    if (ctx === null) throw new Error("no 2d context");
    ctx.drawImage(image, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let colour = 0;
    let white = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
      if (Math.abs(r - want[0]) < 40 && Math.abs(g - want[1]) < 40 && Math.abs(b - want[2]) < 40) colour++;
      else if (r > 240 && g > 240 && b > 240) white++;
    }
    const n = data.length / 4;
    return { colour: colour / n, white: white / n, width: canvas.width };
  }, rgb);
}

const tokenOf = async (page: Page): Promise<string> =>
  (JSON.parse((await page.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken: string }).accessToken;

describe("dossiers: advisory locks and PDF first-page previews, two councils (Chromium)", function () {
  this.timeout(300_000);
  const app = useCouncilsClient([A, B], { users: { alice: A, bob: B } });
  let alice: Page | undefined;
  let bob: Page | undefined;
  screenshotOnFailure("dossier-locks-bob", () => bob);
  screenshotOnFailure("dossier-locks-alice", () => alice);

  it("A marks a file as being edited, B sees who and until when, then its release and its expiry; permissions that do not allow it are said; a PDF's first page is shown", async () => {
    const a = alice = await app.newPage({ locale: "fr-FR", timezoneId: "Europe/Paris" });
    const b = bob = await app.newPage({ locale: "fr-FR", timezoneId: "Europe/Paris" });
    // What Bob's client is told, for the diagnostics if an invitation never shows (tests/artifacts/dossier-locks-state.json).
    const bobSyncs = recordSyncs(b);
    // Bob's clock flows as the real one until the expiry step moves it forward (fires his page's
    // timers at most once, as a laptop woken from sleep): his SDK syncs and sends as usual.
    await b.clock.install();
    await Promise.all([signIn(a, app.web.url, A, "alice").then(() => saveRecoveryKey(a)), signIn(b, app.web.url, B, "bob").then(() => saveRecoveryKey(b))]);

    // A working group and a dossier; B invited to both.
    await a.getByRole("button", { name: "Nouvel espace de travail" }).click();
    await a.getByRole("dialog").getByLabel("Nom").fill("Urbanisme");
    await a.getByRole("dialog").getByRole("button", { name: "Créer" }).click();
    await a.getByRole("region", { name: "Urbanisme" }).waitFor();
    await a.getByRole("link", { name: "Dossiers", exact: true }).click();
    const form = a.getByRole("form", { name: "Nouveau dossier dans Urbanisme" });
    await form.getByLabel("Nom du dossier").fill("PLU 2027");
    await form.getByRole("button", { name: "Nouveau dossier dans Urbanisme" }).click();
    await a.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 30_000 });
    const roomId = decodeURIComponent(/#\/dossier\/(.+)$/.exec(a.url())?.[1] ?? "");
    const aliceToken = await tokenOf(a);
    const aBase = app.fed.get(A).url;
    const roomPath = `/rooms/${encodeURIComponent(roomId)}`;
    const levels = await clientApi(aBase, { accessToken: aliceToken }, "GET", `${roomPath}/state/m.room.power_levels/`);
    assert.equal((levels["events"] as Record<string, number>)[LOCK], 0, "a new dossier lets every member lock");
    assert.equal((levels["events"] as Record<string, number>)["m.room.power_levels"], 100, "the other defaults kept");

    await a.getByLabel("Inviter dans le dossier (identifiant, toute collectivité)").fill(`@bob:${B}`);
    await a.getByRole("button", { name: "Inviter", exact: true }).click();
    await a.getByText("Invitation envoyée.").waitFor({ timeout: 30_000 });
    const bobCheck = async (roomName: string) => ({ page: b, base: app.fed.get(B).url, accessToken: await tokenOf(b), syncs: bobSyncs, roomName, name: "dossier-locks-state" });
    await explainInvite(b.getByRole("button", { name: "Accepter : Urbanisme" }).click({ timeout: 60_000 }), await bobCheck("Urbanisme"));
    await b.getByRole("link", { name: "Dossiers", exact: true }).click();
    await explainInvite(b.getByRole("button", { name: "Accepter l'invitation au dossier PLU 2027" }).click({ timeout: 60_000 }), await bobCheck("PLU 2027"));
    await b.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 60_000 });

    // Two files: a PDF (red upper half) and a damaged one.
    await a.locator("input#files").setInputFiles([
      { name: "plan.pdf", mimeType: "application/pdf", buffer: onePagePdf([1, 0, 0]) },
      { name: "abime.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\nceci n'est pas un PDF\n") },
    ]);
    for (const n of ["plan.pdf", "abime.pdf"]) await row(b, n).waitFor({ timeout: 60_000 });

    // A takes the lock for an hour: the duration list has the focus, the row says it.
    await rowAction(a, "plan.pdf", "Signaler que je le modifie : plan.pdf");
    const duration = row(a, "plan.pdf").getByLabel("Durée du signalement pour plan.pdf");
    assert.equal(await duration.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "the duration list has the focus");
    assert.equal(await duration.inputValue(), "1h", "one hour unless another duration is picked");
    assert.deepEqual(await seriousA11yViolations(a), [], "the duration list and its buttons are accessible");
    // Keyboard: Tab to « Signaler », Enter (browsing the list sends nothing).
    await a.keyboard.press("Tab");
    await a.keyboard.press("Enter");
    await row(a, "plan.pdf").getByText(new RegExp(`^En cours de modification par vous jusqu'à ${UNTIL}$`)).waitFor({ timeout: 30_000 });
    await a.getByText(/plan\.pdf : signalé comme en cours de modification par vous jusqu'à/).waitFor();

    // B sees who and until when, in the row's name cell (read with the row), and may not take it.
    const bobLock = row(b, "plan.pdf").getByRole("gridcell").first().getByText(new RegExp(`^En cours de modification par alice jusqu'à ${UNTIL}$`));
    await bobLock.waitFor({ timeout: 60_000 });
    await row(b, "plan.pdf").getByRole("button", { name: "Actions pour plan.pdf", exact: true }).click();
    const take = row(b, "plan.pdf").getByRole("menuitem", { name: "Signaler que je le modifie : plan.pdf" });
    assert.equal(await take.getAttribute("aria-disabled"), "true");
    assert.equal(await take.getAttribute("title"), "plan.pdf est déjà en cours de modification par alice.");
    assert.deepEqual(await seriousA11yViolations(b), [], "the locked row's menu, open, is accessible");
    await b.keyboard.press("Escape");
    assert.deepEqual(await seriousA11yViolations(b), [], "the locked row is accessible");
    await screenshot(b, "dossier-lock-seen-by-other-council");
    // The same row in English.
    await b.getByLabel("Langue").selectOption("en");
    await row(b, "plan.pdf").getByRole("gridcell").first().getByText(new RegExp(`^Being edited by alice until ${UNTIL_EN}$`)).waitFor({ timeout: 30_000 });
    await screenshot(b, "dossier-lock-seen-by-other-council-en");
    await b.getByLabel("Language").selectOption("fr");
    await bobLock.waitFor({ timeout: 30_000 });

    // A sends a new version (blue): offered to release; releases; B sees the row free.
    const [chooser] = await Promise.all([a.waitForEvent("filechooser"), rowAction(a, "plan.pdf", "Nouvelle version de plan.pdf")]);
    await chooser.setFiles({ name: "plan.pdf", mimeType: "application/pdf", buffer: onePagePdf([0, 0, 1]) });
    const offer = a.getByRole("group", { name: "Libérer plan.pdf ?" });
    await a.getByRole("status").getByText(new RegExp(`^Nouvelle version de plan\\.pdf envoyée\\. Vous l'aviez signalé comme en cours de modification jusqu'à ${UNTIL} : le libérer \\?`)).waitFor({ timeout: 60_000 });
    await screenshot(a, "dossier-lock-release-offer");
    // The row's « Libérer » and the offer's both show: distinct names (RGAA).
    await row(a, "plan.pdf").getByRole("button", { name: "Libérer plan.pdf", exact: true }).waitFor();
    assert.equal(await a.getByRole("button", { name: "Libérer plan.pdf", exact: true }).count(), 1, "one button with the row's name");
    await offer.getByRole("button", { name: "Libérer plan.pdf maintenant que la nouvelle version est envoyée", exact: true }).click();
    await a.getByText("plan.pdf est libéré.").waitFor({ timeout: 30_000 });
    await row(a, "plan.pdf").locator(".lock").waitFor({ state: "detached", timeout: 30_000 });
    await bobLock.waitFor({ state: "detached", timeout: 60_000 });
    await row(b, "plan.pdf").getByRole("gridcell").nth(4).getByText("2", { exact: true }).waitFor({ timeout: 60_000 });

    // A lock that ends (set through the API to end in an hour): B sees it, then, his clock moved an
    // hour on, sees it go with no new event (his view's timer to the next end). An hour: however
    // long federation takes to bring it, it is not over on arrival.
    const entryId = (await row(a, "plan.pdf").getAttribute("data-entry")) ?? "";
    await clientApi(aBase, { accessToken: aliceToken }, "PUT", `${roomPath}/state/${LOCK}/${encodeURIComponent(entryId)}`, { version: 1, holder: `@alice:${A}`, expires_at: Date.now() + 3_600_000 });
    await bobLock.waitFor({ timeout: 60_000 });
    // Ten minutes before its end: still there.
    await b.clock.fastForward("50:00");
    await b.getByLabel("Langue").selectOption("en");
    await row(b, "plan.pdf").getByRole("gridcell").first().getByText(new RegExp(`^Being edited by alice until ${UNTIL_EN}$`)).waitFor({ timeout: 30_000 });
    await b.getByLabel("Language").selectOption("fr");
    await bobLock.waitFor({ timeout: 30_000 });
    await b.clock.fastForward("10:05");
    await bobLock.waitFor({ state: "detached", timeout: 60_000 });

    // B takes one with the keyboard (menu item, then the duration list), then releases it from the row.
    await row(b, "plan.pdf").getByRole("button", { name: "Actions pour plan.pdf", exact: true }).focus();
    await b.keyboard.press("Enter");
    const bobTake = row(b, "plan.pdf").getByRole("menuitem", { name: "Signaler que je le modifie : plan.pdf" });
    await bobTake.focus();
    await b.keyboard.press("Enter");
    // The arrow key picks in the list (the grid's Up/Down leave it alone) and sends nothing.
    const bobDuration = row(b, "plan.pdf").getByLabel("Durée du signalement pour plan.pdf");
    assert.equal(await bobDuration.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el), true, "the duration list has the focus");
    await b.keyboard.press("ArrowDown");
    assert.equal(await bobDuration.inputValue(), "4h", "the arrow key picked 4 hours");
    await row(b, "plan.pdf").getByRole("button", { name: "Signaler que je le modifie : plan.pdf" }).press("Enter");
    await row(a, "plan.pdf").getByText(new RegExp(`^En cours de modification par bob jusqu'à ${UNTIL}$`)).waitFor({ timeout: 60_000 });
    await row(b, "plan.pdf").getByRole("button", { name: "Libérer plan.pdf" }).click();
    await row(a, "plan.pdf").locator(".lock").waitFor({ state: "detached", timeout: 60_000 });

    // Power levels that keep the lock for moderators: B's item says why, nothing is sent.
    const raised = await clientApi(aBase, { accessToken: aliceToken }, "GET", `${roomPath}/state/m.room.power_levels/`);
    await clientApi(aBase, { accessToken: aliceToken }, "PUT", `${roomPath}/state/m.room.power_levels/`, { ...raised, events: { ...(raised["events"] as Record<string, number>), [LOCK]: 50 } });
    await row(b, "plan.pdf").getByRole("button", { name: "Actions pour plan.pdf", exact: true }).click();
    // The open menu follows B's room state as it arrives.
    await row(b, "plan.pdf").locator(`[role=menuitem][aria-disabled=true][title^="Les droits de ce dossier ne permettent pas"]`).waitFor({ timeout: 60_000 });
    const refused = row(b, "plan.pdf").getByRole("menuitem", { name: "Signaler que je le modifie : plan.pdf" });
    assert.equal(await refused.getAttribute("aria-disabled"), "true");
    assert.match((await refused.getAttribute("title")) ?? "", /^Les droits de ce dossier ne permettent pas aux membres de signaler une modification/);
    await b.keyboard.press("Escape");

    // The PDF's first page in its details, on B (the latest version: blue), drawn after decryption.
    await rowAction(b, "plan.pdf", "Historique des versions de plan.pdf");
    const page1 = await colours(b, "Première page de plan.pdf", [0, 0, 255]);
    assert.ok(page1.colour > 0.2, `the rectangle is drawn (${(page1.colour * 100).toFixed(1)} % blue)`);
    assert.ok(page1.white > 0.2, `the page around it is white (${(page1.white * 100).toFixed(1)} %)`);
    assert.ok(page1.width >= 200, `a readable size (${page1.width} px wide)`);
    assert.deepEqual(await seriousA11yViolations(b), [], "the details with the preview are accessible");
    await screenshot(b, "dossier-pdf-first-page");
    await b.getByRole("button", { name: "Fermer l'historique" }).click();
    await rowAction(b, "abime.pdf", "Historique des versions de abime.pdf");
    await b.getByRole("img", { name: "Pas d'aperçu pour abime.pdf" }).waitFor({ timeout: 60_000 });
  });
});

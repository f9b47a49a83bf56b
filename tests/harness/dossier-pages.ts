// The web client's dossier pages in Chromium: the steps every dossier test starts with.
import type { Page } from "playwright-core";
import { saveRecoveryKey, signIn } from "./client-pages.ts";

/** config.json names `council`'s share service at `shareUrl`, as `entente start` writes it. */
export async function useShareService(page: Page, council: string, shareUrl: string): Promise<void> {
  await page.route("**/config.json", async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, json: { ...((await res.json()) as Record<string, unknown>), share: { services: { [council]: shareUrl } } } });
  });
}

/**
 * Signs `user` in (recovery key saved), creates the workspace `workspace` and in it the empty
 * dossier `dossier`, whose view is left open; returns the dossier's room id.
 */
export async function signInWithNewDossier(page: Page, webUrl: string, user: string, workspace: string, dossier: string): Promise<string> {
  await signIn(page, webUrl, undefined, user);
  await saveRecoveryKey(page);
  await page.getByRole("button", { name: "Nouvel espace de travail" }).click();
  await page.getByRole("dialog").getByLabel("Nom").fill(workspace);
  await page.getByRole("dialog").getByRole("button", { name: "Créer" }).click();
  await page.getByRole("region", { name: workspace }).waitFor();
  await page.getByRole("link", { name: "Dossiers", exact: true }).click();
  const form = page.getByRole("form", { name: `Nouveau dossier dans ${workspace}` });
  await form.getByLabel("Nom du dossier").fill(dossier);
  await form.getByRole("button", { name: `Nouveau dossier dans ${workspace}` }).click();
  await page.getByText("Ce dossier est vide — déposez des fichiers ici").waitFor({ timeout: 30_000 });
  return decodeURIComponent(/#\/dossier\/(.+)$/.exec(page.url())?.[1] ?? "");
}

/** The folder view's grid row whose name cell shows `name` (other cells, such as a move list, may name folders too). */
export const dossierRow = (page: Page, name: string) => page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });

/**
 * Opens the « Actions » menu of `name`'s row and chooses the item `item`, named in full as the
 * row's buttons were (e.g. rowAction(page, "acte.pdf", "Renommer acte.pdf")). French page.
 */
export async function rowAction(page: Page, name: string, item: string): Promise<void> {
  const row = dossierRow(page, name);
  await row.getByRole("button", { name: `Actions pour ${name}`, exact: true }).click();
  await row.getByRole("menuitem", { name: item, exact: true }).click();
}

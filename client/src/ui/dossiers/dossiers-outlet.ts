// The shell's hooks for dossiers, so the app shell changes by a few lines: <ent-dossiers-nav> (the
// header link "Dossiers") and <ent-dossiers-outlet>, which wraps the room pane and shows the list
// of the working groups' dossiers (#/dossiers) or one dossier's folder view (#/dossier/<id>)
// instead when the address says so. Both follow the address themselves (hashchange).
import { LitElement, css, html, nothing } from "lit";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import type { SharePort } from "../../core/dossiers/share-port.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { hashFollower } from "../shared/hash-follower.ts";
import { theme } from "../shared/theme.ts";
import { dossierTranslator } from "./dossier-messages.ts";
import { DOSSIERS_HASH, dossierHash, dossiersRouteFromHash } from "./dossiers-route.ts";
import "./dossier-view.ts";
import "./share-dialog.ts";

const HashFollower = hashFollower(dossiersRouteFromHash);

export class DossiersNav extends HashFollower {
  static override properties = { ...HashFollower.properties, i18n: { attribute: false } };
  declare i18n: I18n;
  static override styles = [theme, css`
    a { color: #fff; text-decoration: underline; text-underline-offset: 3px; }
    a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 2px; }
  `];
  override render(): unknown {
    const tr = dossierTranslator(this.i18n.locale);
    return html`<a href=${DOSSIERS_HASH} aria-current=${this.route !== undefined ? "page" : nothing}>${tr("dossiers")}</a>`;
  }
}
customElements.define("ent-dossiers-nav", DossiersNav);

/** Every working group with its dossiers, and a form to create one in each. */
export class DossiersList extends LitElement {
  static override properties = { i18n: { attribute: false }, port: { attribute: false }, version: { type: Number }, error: { state: true }, busy: { state: true } };
  declare i18n: I18n;
  declare port: DossiersPort;
  declare version: number;
  declare error: string;
  declare busy: boolean;
  static override styles = [theme, css`
    :host { display: block; padding: 1rem 1.5rem; }
    section { margin-bottom: 1.5rem; }
    ul { padding-left: 1.2rem; }
    form { display: flex; gap: 0.5rem; align-items: end; flex-wrap: wrap; }
    label { display: flex; flex-direction: column; gap: 0.2rem; }
    .muted { color: var(--muted); }
    .error { color: #991b1b; }
  `];
  constructor() {
    super();
    this.error = "";
    this.busy = false;
    this.version = 0;
  }

  private async create(e: SubmitEvent, spaceId: string): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const input = form.querySelector("input");
    const name = input?.value.trim() ?? "";
    const tr = dossierTranslator(this.i18n.locale);
    if (name === "") {
      this.error = tr("badName_empty");
      return;
    }
    this.busy = true;
    this.error = "";
    try {
      const id = await this.port.createDossier(spaceId, name);
      location.hash = dossierHash(id);
    } catch (err: unknown) {
      this.error = tr("actionFailed", { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.busy = false;
    }
  }

  private async accept(roomId: string, open = true): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await this.port.join(roomId);
      if (open) location.hash = dossierHash(roomId);
      else this.requestUpdate();
    } catch (err: unknown) {
      this.error = dossierTranslator(this.i18n.locale)("actionFailed", { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.busy = false;
    }
  }

  override render(): unknown {
    const tr = dossierTranslator(this.i18n.locale);
    const spaces = this.port.spaces();
    const invited = this.port.invitedSpaces?.() ?? [];
    return html`<h1>${tr("dossiers")}</h1>
      <p class="muted">${tr("encryptedNote")}</p>
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${invited.length === 0 ? nothing : html`<section aria-labelledby="space-invites">
        <h2 id="space-invites">${tr("spaceInvites")}</h2>
        <p class="muted">${tr("spaceInvitesHelp")}</p>
        <ul>${invited.map((s) => html`<li>${s.name} <button ?disabled=${this.busy} @click=${() => void this.accept(s.spaceId, false)} aria-label=${tr("acceptSpace", { name: s.name })}>${tr("accept")}</button></li>`)}</ul>
      </section>`}
      ${spaces.length === 0 ? html`<p>${invited.length === 0 ? tr("noSpaces") : tr("noSpacesYet")}</p>` : spaces.map((s) => {
        const list = this.port.dossiers(s.spaceId);
        return html`<section aria-labelledby=${`space-${s.spaceId}`}>
          <h2 id=${`space-${s.spaceId}`}>${tr("dossiersOf", { space: s.name })}</h2>
          ${list.length === 0 ? html`<p class="muted">${tr("noDossiers")}</p>` : html`<ul>${list.map((d) => html`<li>${d.membership === "join"
            ? html`<a href=${dossierHash(d.roomId)}>${d.name}</a>`
            : html`${d.name} <span class="muted">(${tr("invited")})</span>
              <button ?disabled=${this.busy} @click=${() => void this.accept(d.roomId)} aria-label=${tr("acceptDossier", { name: d.name })}>${tr("accept")}</button>`}</li>`)}</ul>`}
          <form @submit=${(e: SubmitEvent) => void this.create(e, s.spaceId)} aria-label=${tr("newDossier", { space: s.name })}>
            <label>${tr("dossierName")}<input name="name" required maxlength="255" /></label>
            <button type="submit" ?disabled=${this.busy}>${tr("newDossier", { space: s.name })}</button>
          </form>
        </section>`;
      })}`;
  }
}
customElements.define("ent-dossiers-list", DossiersList);

export class DossiersOutlet extends HashFollower {
  static override properties = { ...HashFollower.properties, i18n: { attribute: false }, port: { attribute: false }, shares: { attribute: false }, version: { type: Number } };
  declare i18n: I18n;
  declare port: DossiersPort | undefined;
  /** Citizen sharing (share-dialog.ts), answering the rows' share buttons. */
  declare shares: SharePort | undefined;
  declare version: number;
  static override styles = css`
    :host { display: contents; }
    ent-dossiers-list, ent-dossier { min-height: 0; overflow-y: auto; }
    /* Only a modal dialog: out of the layout's grid (a third item made a second, 20 px row that
       shortened the room list and left a strip under it). */
    ent-dossier-share { position: absolute; }
  `;
  override render(): unknown {
    const r = this.route;
    if (r === undefined || this.port === undefined) return html`<slot></slot>`;
    return r.kind === "list"
      ? html`<ent-dossiers-list role="main" .port=${this.port} .i18n=${this.i18n} version=${this.version ?? 0}></ent-dossiers-list>`
      : html`<ent-dossier role="main" .port=${this.port} .i18n=${this.i18n} roomId=${r.roomId} version=${this.version ?? 0}></ent-dossier>
        <ent-dossier-share .port=${this.port} .shares=${this.shares} roomId=${r.roomId}></ent-dossier-share>`;
  }
}
customElements.define("ent-dossiers-outlet", DossiersOutlet);

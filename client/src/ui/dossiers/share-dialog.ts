// <ent-dossier-share>: the "Partager avec un citoyen" dialog of a dossier (a modal <dialog>: focus
// kept inside, Escape closes, focus back on the button). Expiry date and download limit; the file
// is decrypted in the page (DossiersPort.download), encrypted with a generated password and
// uploaded with progress (SharePort); the link and the password are shown once with copy buttons;
// below, the file's shares with their state, access log and "Révoquer". Opened by the rows'
// share buttons (share-button.ts) through the `ent-share-file` event. The expiry is a preset
// (24 h, 7 jours, 30 jours) or a chosen date and time, checked against the service's limits
// (core/dossiers/share-expiry.ts) and said back as a date before the link is made.
import { LitElement, css, html, nothing } from "lit";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import type { FileDrop, FileShare, SharePort, ShareProgress } from "../../core/dossiers/share-port.ts";
import { DEFAULT_LARGE_FILE_THRESHOLD } from "../../core/dossiers/dossier-config.ts";
import { checkExpiry, defaultPreset, DEFAULT_SHARE_LIMITS, localDateTimeValue, MIN_CHOSEN_MS, presetsWithin, type ExpiryPreset, type ShareLimits } from "../../core/dossiers/share-expiry.ts";
import { replyPlace } from "../../core/dossiers/reply-place.ts";
import { theme } from "../shared/theme.ts";
import { replyAddedSaid } from "./reply-said.ts";
import { SHARE_FILE_EVENT, type ShareFileDetail } from "./share-button.ts";
import { pageLocale, shareTranslator, type ShareTranslate } from "./share-messages.ts";

const DAY = 86_400_000;

type Phase = { kind: "form" } | { kind: "working"; text: string; percent: number | undefined } | { kind: "done"; url: string; password: string } | { kind: "failed"; error: string };

export class DossierShare extends LitElement {
  static override properties = {
    port: { attribute: false }, shares: { attribute: false }, roomId: { type: String },
    target: { state: true }, phase: { state: true }, list: { state: true }, note: { state: true }, hasService: { state: true },
    drops: { state: true }, dropLink: { state: true }, limits: { state: true }, preset: { state: true }, chosen: { state: true }, expiryError: { state: true }, downloadsError: { state: true },
  };
  declare downloadsError: string;
  declare limits: ShareLimits;
  declare preset: ExpiryPreset;
  /** The date-and-time field's value (local time), used when the preset is "date". */
  declare chosen: string;
  declare expiryError: string;
  declare drops: FileDrop[];
  declare dropLink: string | undefined;
  declare port: DossiersPort;
  declare shares: SharePort | undefined;
  declare roomId: string;
  declare target: ShareFileDetail | undefined;
  declare phase: Phase;
  declare list: FileShare[];
  declare note: string;
  declare hasService: boolean | undefined;
  private opener: HTMLElement | undefined;
  private root: Node | undefined;
  private readonly onShare = (e: Event): void => {
    const detail = (e as CustomEvent<ShareFileDetail>).detail;
    this.opener = e.composedPath()[0] instanceof HTMLElement ? (e.composedPath()[0] as HTMLElement) : undefined;
    void this.open(detail);
  };

  static override styles = [theme, css`
    dialog { max-width: 44rem; width: calc(100% - 2rem); border: 1px solid var(--border, #ccc); border-radius: 6px; }
    dialog::backdrop { background: rgb(0 0 0 / 40%); }
    form, .fields { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; }
    label { display: flex; flex-direction: column; gap: 0.2rem; }
    .secret { display: flex; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
    .secret input { font-family: monospace; min-width: 20rem; }
    table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; }
    th, td { text-align: left; padding: 0.25rem 0.4rem; border-bottom: 1px solid var(--border, #ddd); vertical-align: top; }
    .error { color: #991b1b; }
    .muted { color: var(--muted); }
    progress { width: 100%; }
    fieldset.expiry { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: end; border: 1px solid var(--border, #ccc); border-radius: 6px; }
    fieldset.expiry label.choice { flex-direction: row; align-items: center; gap: 0.3rem; }
    fieldset.expiry p { flex-basis: 100%; margin: 0.2rem 0; }
  `];

  constructor() {
    super();
    this.phase = { kind: "form" };
    this.list = [];
    this.note = "";
    this.drops = [];
    this.limits = DEFAULT_SHARE_LIMITS;
    this.preset = defaultPreset(DEFAULT_SHARE_LIMITS);
    this.chosen = "";
    this.expiryError = "";
    this.downloadsError = "";
  }

  private get tr(): ShareTranslate {
    return shareTranslator(pageLocale());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.root = this.getRootNode();
    this.root.addEventListener(SHARE_FILE_EVENT, this.onShare);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.root?.removeEventListener(SHARE_FILE_EVENT, this.onShare);
  }

  private dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  private async open(t: ShareFileDetail): Promise<void> {
    this.target = t;
    this.phase = { kind: "form" };
    this.note = "";
    this.list = [];
    this.drops = [];
    this.dropLink = undefined;
    this.hasService = this.shares === undefined ? false : (await this.shares.serviceUrl()) !== undefined;
    this.limits = this.hasService && this.shares !== undefined ? await this.shares.limits() : DEFAULT_SHARE_LIMITS;
    this.preset = defaultPreset(this.limits);
    this.chosen = localDateTimeValue(Date.now() + Math.min(7 * DAY, this.limits.maxExpiryHours * 3_600_000));
    this.expiryError = "";
    this.downloadsError = "";
    await this.updateComplete;
    const d = this.dialog();
    if (d && !d.open) d.showModal();
    void this.refreshList();
  }

  private close(): void {
    this.dialog()?.close();
  }

  private closed(): void {
    // The password leaves the page's state with the dialog.
    this.phase = { kind: "form" };
    this.target = undefined;
    this.dropLink = undefined;
    this.opener?.focus();
  }

  private async refreshList(): Promise<void> {
    const t = this.target;
    if (t === undefined || this.shares === undefined || this.hasService !== true) return;
    try {
      [this.list, this.drops] = await Promise.all([this.shares.list(this.roomId, t.entryId), this.shares.drops(this.roomId, t.entryId)]);
    } catch (e: unknown) {
      this.note = this.tr("failed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const t = this.target;
    const shares = this.shares;
    if (t === undefined || shares === undefined) return;
    const data = new FormData(e.target as HTMLFormElement);
    const expiry = checkExpiry(this.preset, this.chosen, Date.now(), this.limits);
    const tr = this.tr;
    if (!expiry.ok) {
      this.expiryError = tr(expiry.error, { date: this.longDate(expiry.latest) });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(this.preset === "date" ? "#expiry-date" : "input[name=expiry-preset]:checked")?.focus();
      return;
    }
    this.expiryError = "";
    const expiresAt = expiry.expiresAt;
    const maxDownloads = Number(data.get("downloads"));
    // The form is not checked by the browser (its messages are in its own language): here, in ours.
    const downloads = this.renderRoot.querySelector<HTMLInputElement>("input[name=downloads]");
    if (!Number.isInteger(maxDownloads) || maxDownloads < 1 || maxDownloads > this.limits.maxDownloads) {
      this.downloadsError = tr("downloadsInvalid", { max: this.limits.maxDownloads });
      await this.updateComplete;
      downloads?.focus();
      return;
    }
    this.downloadsError = "";
    try {
      this.phase = { kind: "working", text: tr("decrypting"), percent: undefined };
      const plain = await this.port.download(t.version);
      const onProgress = (p: ShareProgress): void => {
        this.phase = p.phase === "encrypting" ? { kind: "working", text: tr("encrypting"), percent: undefined }
          : { kind: "working", text: tr("uploading", { percent: Math.floor((100 * p.sent) / Math.max(1, p.total)) }), percent: p.total > 0 ? p.sent / p.total : undefined };
      };
      const { share, password } = await shares.share({ roomId: this.roomId, entryId: t.entryId, name: t.name, version: t.version, plain, expiresAt, maxDownloads }, onProgress);
      this.phase = { kind: "done", url: share.url, password };
      await this.refreshList();
    } catch (err: unknown) {
      this.phase = { kind: "failed", error: tr("failed", { error: err instanceof Error ? err.message : String(err) }) };
    }
  }

  private async revoke(id: string): Promise<void> {
    try {
      await this.shares?.revoke(id);
      this.note = this.tr("revoked");
      await this.refreshList();
    } catch (e: unknown) {
      this.note = this.tr("failed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async createDrop(): Promise<void> {
    const t = this.target;
    if (t === undefined || this.shares === undefined) return;
    try {
      this.dropLink = (await this.shares.createDrop(this.roomId, t.entryId, t.name, 7 * 24)).link;
      await this.refreshList();
    } catch (e: unknown) {
      this.note = this.tr("failed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The citizen's reply: decrypted here, uploaded beside the file as any file (Matrix encrypted attachment), then the drop closed; the note says where it went. */
  private async addReply(d: FileDrop): Promise<void> {
    const t = this.target;
    if (t === undefined || this.shares === undefined) return;
    try {
      const file = await this.shares.receiveDrop(this.roomId, t.entryId, d);
      // Beside the shared file where it is now (moved since the link was made?), the root if it is in the bin.
      const place = replyPlace(await this.port.snapshot(this.roomId), t.entryId);
      await this.port.upload(this.roomId, file, { parent: place.parent }, DEFAULT_LARGE_FILE_THRESHOLD, () => undefined).done;
      await this.shares.closeDrop(d.id);
      this.note = replyAddedSaid(this.tr, file.name, place);
      await this.refreshList();
    } catch (e: unknown) {
      this.note = this.tr("failed", { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private renderDrops(name: string): unknown {
    const tr = this.tr;
    return html`<h3>${tr("dropTitle")}</h3><p class="muted">${tr("dropIntro")}</p>
      ${this.dropLink !== undefined ? html`<p role="status">${tr("dropDone")}</p>
        <div class="secret"><label>${tr("dropLink")}<input readonly .value=${this.dropLink} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></label>
          <button @click=${() => void this.copy(this.dropLink ?? "")}>${tr("copyDropLink")}</button></div>`
        : html`<button @click=${() => void this.createDrop()}>${tr("createDrop")}</button>`}
      ${this.drops.length === 0 ? html`<p class="muted">${tr("noDrops")}</p>` : html`<table aria-label=${tr("dropsOf", { name })}>
        <thead><tr>${(["colCreated", "colExpires", "colState", "colActions"] as const).map((k) => html`<th scope="col">${tr(k)}</th>`)}</tr></thead>
        <tbody>${this.drops.map((d) => html`<tr data-drop=${d.id}><td>${this.date(d.createdAt)}</td><td>${this.date(d.expiresAt)}</td>
          <td class="drop-state">${tr(`dropState_${d.state}`, { name: d.name ?? "" })}</td>
          <td>${d.state === "received" ? html`<button @click=${() => void this.addReply(d)} aria-label=${tr("addToDossierLabel", { name: d.name ?? "" })}>${tr("addToDossier")}</button>` : nothing}</td></tr>`)}</tbody></table>`}`;
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.note = this.tr("copied");
    } catch {
      // Without clipboard access the field stays selectable.
      this.note = "";
    }
  }

  private date(ts: number): string {
    return new Intl.DateTimeFormat(pageLocale() === "en" ? "en-GB" : "fr-FR", { dateStyle: "short", timeStyle: "short" }).format(new Date(ts));
  }

  /** « lundi 14 décembre 2026 à 17:30 »: the expiry said back in full. */
  private longDate(ts: number): string {
    return new Intl.DateTimeFormat(pageLocale() === "en" ? "en-GB" : "fr-FR", { dateStyle: "full", timeStyle: "short" }).format(new Date(ts));
  }

  private renderExpiry(): unknown {
    const tr = this.tr;
    const now = Date.now();
    const latest = now + this.limits.maxExpiryHours * 3_600_000;
    const check = checkExpiry(this.preset, this.chosen, now, this.limits);
    const pick = (p: ExpiryPreset): void => {
      this.preset = p;
      this.expiryError = "";
    };
    const described = ["expiry-when", this.expiryError !== "" ? "expiry-error" : ""].filter((s) => s !== "").join(" ");
    return html`<fieldset class="expiry"><legend>${tr("expiryLegend")}</legend>
      ${presetsWithin(this.limits).map((p) => html`<label class="choice"><input type="radio" name="expiry-preset" value=${p} .checked=${this.preset === p}
        @change=${() => pick(p)} />${tr(`preset_${p}`)}</label>`)}
      ${this.preset === "date" ? html`<label>${tr("expiryDate")}<input type="datetime-local" id="expiry-date" name="expiry-date" required
          min=${localDateTimeValue(now + MIN_CHOSEN_MS)} max=${localDateTimeValue(latest)} .value=${this.chosen}
          aria-invalid=${this.expiryError !== "" ? "true" : "false"} aria-describedby=${described}
          @input=${(e: Event) => { this.chosen = (e.target as HTMLInputElement).value; this.expiryError = ""; }} /></label>
        <p class="muted">${tr("expiryLatest", { date: this.longDate(latest) })}</p>` : nothing}
      <p id="expiry-when" aria-live="polite">${check.ok ? tr("expiryWhen", { date: this.longDate(check.expiresAt) }) : ""}</p>
      ${this.expiryError !== "" ? html`<p id="expiry-error" class="error" role="alert">${this.expiryError}</p>` : nothing}
    </fieldset>`;
  }

  private renderForm(): unknown {
    const tr = this.tr;
    return html`<form novalidate @submit=${(e: SubmitEvent) => void this.submit(e)}>
      ${this.renderExpiry()}
      <label>${tr("maxDownloads")}<input type="number" name="downloads" required min="1" max=${this.limits.maxDownloads} .value=${String(Math.min(3, this.limits.maxDownloads))}
        aria-invalid=${this.downloadsError !== "" ? "true" : "false"} aria-describedby=${this.downloadsError !== "" ? "downloads-error" : nothing} /></label>
      ${this.downloadsError !== "" ? html`<p id="downloads-error" class="error" role="alert">${this.downloadsError}</p>` : nothing}
      <button type="submit">${tr("create")}</button>
    </form>`;
  }

  private renderPhase(): unknown {
    const tr = this.tr;
    const p = this.phase;
    if (p.kind === "form") return this.renderForm();
    if (p.kind === "working") return html`<p role="status">${p.text}</p><progress aria-label=${tr("progress")} max="1" .value=${p.percent ?? 0}></progress>`;
    if (p.kind === "failed") return html`<p class="error" role="alert">${p.error}</p>${this.renderForm()}`;
    return html`<p role="status">${tr("done")}</p>
      <div class="secret"><label>${tr("link")}<input id="share-link" readonly .value=${p.url} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></label>
        <button @click=${() => void this.copy(p.url)}>${tr("copyLink")}</button></div>
      <div class="secret"><label>${tr("password")}<input id="share-password" readonly .value=${p.password} @focus=${(e: Event) => (e.target as HTMLInputElement).select()} /></label>
        <button @click=${() => void this.copy(p.password)}>${tr("copyPassword")}</button></div>
      <p><strong>${tr("advice")}</strong></p>`;
  }

  private renderList(name: string): unknown {
    const tr = this.tr;
    if (this.list.length === 0) return html`<p class="muted">${tr("noShares")}</p>`;
    return html`<table aria-label=${tr("sharesOf", { name })}>
      <thead><tr>${(["colCreated", "colExpires", "colDownloads", "colState", "colLog", "colActions"] as const).map((k) => html`<th scope="col">${tr(k)}</th>`)}</tr></thead>
      <tbody>${this.list.map((s) => html`<tr data-share=${s.id}>
        <td>${this.date(s.createdAt)}</td><td>${this.date(s.expiresAt)}</td>
        <td>${tr("downloads", { n: s.downloads, max: s.maxDownloads })}</td>
        <td class="state">${tr(`state_${s.state}`)}</td>
        <td><details><summary>${tr("logCount", { n: s.access.length })}</summary><ul>${s.access.map((a) => html`<li>${this.date(a.at)} — ${this.actionText(a.action)}${a.reason !== undefined ? html` (${this.reasonText(a.reason)})` : nothing}</li>`)}</ul></details></td>
        <td>${s.state === "active" ? html`<button @click=${() => void this.revoke(s.id)} aria-label=${tr("revokeLabel", { date: this.date(s.createdAt) })}>${tr("revoke")}</button>` : nothing}</td>
      </tr>`)}</tbody></table>`;
  }

  private actionText(a: string): string {
    return a === "page" || a === "key" || a === "download" || a === "refused" ? this.tr(`action_${a}`) : a;
  }

  private reasonText(r: string): string {
    return r === "revoked" || r === "expired" || r === "exhausted" ? this.tr(`reason_${r}`) : r;
  }

  override render(): unknown {
    const tr = this.tr;
    const t = this.target;
    return html`<dialog aria-labelledby="share-title" @close=${() => this.closed()}>
      ${t === undefined ? nothing : html`
        <h2 id="share-title">${tr("title", { name: t.name })}</h2>
        ${this.hasService === false ? html`<p class="error" role="alert">${tr("noService")}</p>` : html`
          <p class="muted">${tr("intro")}</p>
          ${this.renderPhase()}
          <h3>${tr("sharesOf", { name: t.name })}</h3>
          ${this.renderList(t.name)}
          ${this.renderDrops(t.name)}`}
        <p role="status" aria-live="polite" class="muted">${this.note}</p>
        <button @click=${() => this.close()}>${tr("close")}</button>`}
    </dialog>`;
  }
}
customElements.define("ent-dossier-share", DossierShare);

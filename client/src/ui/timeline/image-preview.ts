// <ent-image>: an m.image in the timeline. The thumbnail (the sender's; else the server's scaled
// one for a plain image, the image itself for an encrypted one) is fetched with the access token
// and decrypted in the page when encrypted, shown through an object
// URL revoked when the row goes away; info.w/h reserve the space before the bytes arrive. A click
// opens a full-size viewer (modal <dialog>: Escape closes) with a download button. Alt text = body.
// Bytes come through a "media-request" event the app answers (media-answer.ts).
import { LitElement, css, html, nothing } from "lit";
import type { FileInfo, MessageItem } from "../../core/timeline-model.ts";
import { previewBox } from "../../core/image-info.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

/**
 * Detail of "media-request": the file to fetch (and decrypt); `preview`: a smaller version will do
 * (media-answer.ts asks the server's thumbnail for plain images). The answer goes to respond().
 */
export interface MediaRequest { file: FileInfo; preview: boolean; respond(blob: Promise<Blob>): void }

function fetchMedia(from: HTMLElement, file: FileInfo, preview: boolean): Promise<Blob> {
  return new Promise<Blob>((resolve, reject) => {
    let answered = false;
    const detail: MediaRequest = { file, preview, respond: (p) => { answered = true; p.then(resolve, reject); } };
    from.dispatchEvent(new CustomEvent<MediaRequest>("media-request", { detail, bubbles: true, composed: true }));
    if (!answered) reject(new Error("no media handler"));
  });
}

export class ImagePreview extends LitElement {
  static override properties = { item: { attribute: false }, i18n: { attribute: false }, thumbUrl: { state: true }, fullUrl: { state: true }, failed: { state: true } };
  declare item: MessageItem;
  declare i18n: I18n;
  declare thumbUrl: string | undefined;
  declare fullUrl: string | undefined;
  declare failed: boolean;
  private loadedFor: string | undefined;

  static override styles = [theme, css`
    .thumb { padding: 0; border: 1px solid var(--border); border-radius: var(--radius); background: #f1f5f9; display: block; overflow: hidden; cursor: zoom-in; }
    .thumb img { display: block; object-fit: contain; }
    .box { display: grid; place-items: center; font-size: 0.85rem; }
    dialog { border: none; border-radius: 10px; padding: 0.75rem; max-width: 95vw; max-height: 95vh; }
    dialog img { display: block; max-width: 90vw; max-height: 80vh; margin: 0 auto; }
    .bar { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; margin-bottom: 0.5rem; }
  `];

  constructor() {
    super();
    this.thumbUrl = undefined;
    this.fullUrl = undefined;
    this.failed = false;
  }

  override updated(): void {
    const f = this.item.file;
    if (f === undefined || this.loadedFor === this.item.eventId) return;
    this.loadedFor = this.item.eventId;
    this.revoke();
    this.failed = false;
    const id = this.item.eventId;
    fetchMedia(this, f.image?.thumbnail ?? f, true).then((blob) => {
      if (this.loadedFor === id && this.isConnected) this.thumbUrl = URL.createObjectURL(blob);
    }, () => { if (this.loadedFor === id) this.failed = true; });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.revoke();
    this.closeViewer();
    this.loadedFor = undefined;
  }

  private revoke(): void {
    if (this.thumbUrl !== undefined) URL.revokeObjectURL(this.thumbUrl);
    this.thumbUrl = undefined;
  }

  private async openViewer(): Promise<void> {
    const f = this.item.file;
    if (f === undefined) return;
    this.renderRoot.querySelector("dialog")?.showModal();
    try {
      const blob = await fetchMedia(this, f, false);
      if (this.renderRoot.querySelector("dialog")?.open === true) this.fullUrl = URL.createObjectURL(blob);
    } catch {
      this.failed = true;
    }
  }

  private download(name: string): void {
    if (this.fullUrl === undefined) return;
    const link = document.createElement("a");
    link.href = this.fullUrl;
    link.download = name;
    link.click();
  }

  private closeViewer(): void {
    if (this.fullUrl !== undefined) URL.revokeObjectURL(this.fullUrl);
    this.fullUrl = undefined;
    const d = this.renderRoot.querySelector("dialog");
    if (d?.open === true) d.close();
  }

  override render(): unknown {
    const f = this.item.file;
    if (f === undefined) return nothing;
    const { t } = this.i18n;
    const alt = f.image?.alt ?? f.name;
    const box = previewBox(f.image?.w, f.image?.h);
    const size = `width: ${box.width}px; height: ${box.height}px;`;
    return html`
      <button class="thumb" aria-label=${t("imageShow", { name: alt })} @click=${() => void this.openViewer()}>
        ${this.thumbUrl !== undefined
          ? html`<img src=${this.thumbUrl} alt=${alt} width=${box.width} height=${box.height} style=${size} />`
          : html`<span class="box muted" style=${size} aria-busy=${this.failed ? "false" : "true"}>${this.failed ? t("imageFailed", { name: alt }) : t("imageLoading")}</span>`}
      </button>
      <dialog aria-label=${t("imageViewer", { name: alt })} @close=${() => this.closeViewer()}>
        <div class="bar"><strong>${alt}</strong><span>
          ${this.fullUrl !== undefined ? html`<button @click=${() => this.download(f.name)}>${t("downloadShort")}</button>` : nothing}
          <button @click=${() => this.closeViewer()}>${t("close")}</button></span></div>
        ${this.fullUrl !== undefined ? html`<img src=${this.fullUrl} alt=${alt} />` : html`<p role="status">${t("imageLoading")}</p>`}
      </dialog>`;
  }
}
customElements.define("ent-image", ImagePreview);

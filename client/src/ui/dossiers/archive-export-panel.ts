// <ent-archive-export>: "Exporter pour archivage" for a dossier (or any room). Runs the export the
// host hands in (core/dossiers/archive-export.ts: read and decrypt here, signed by the council,
// encrypted for the archivist), shows its progress, then saves `<name>-<date>.tar.gpg`.
// The host's run() saves the file itself (disk-sink.ts: save dialog or service-worker download),
// or hands back a Blob, saved here through a link.
import { LitElement, css, html, nothing } from "lit";
import type { ArchiveProgress, ArchiveResult } from "../../core/dossiers/archive-export.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { archiveTranslator, type ArchiveTranslate } from "./archive-messages.ts";

export type ArchiveRun = (onProgress: (p: ArchiveProgress) => void) => Promise<ArchiveResult>;

/** 4-character groups of a fingerprint's last 16 hex digits, as gpg prints key ids. */
const shortKey = (fpr: string): string => fpr.slice(-16).replace(/(.{4})(?=.)/g, "$1 ");

export class ArchiveExportPanel extends LitElement {
  static override properties = { i18n: { attribute: false }, run: { attribute: false }, level: { attribute: false }, progress: { state: true }, status: { state: true }, error: { state: true } };
  declare i18n: I18n;
  declare run: ArchiveRun;
  /** The level the export needs and the agent's (the service refuses below it): below, the button is disabled with why. */
  declare level: { needed: number; mine: number } | undefined;
  declare progress: ArchiveProgress | undefined;
  declare status: string;
  declare error: string;
  static override styles = [theme, css`
    :host { display: block; margin: 0.6rem 0; }
    h2 { font-size: 1.05rem; margin: 0.4rem 0; }
    .row { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; }
    progress { width: 14rem; }
    .muted { color: var(--muted); font-size: 0.9rem; }
    .error { color: #991b1b; }
  `];

  constructor() {
    super();
    this.status = "";
    this.error = "";
  }

  private get tr(): ArchiveTranslate {
    return archiveTranslator(this.i18n.locale);
  }

  private async start(): Promise<void> {
    const tr = this.tr;
    this.error = "";
    this.status = "";
    this.progress = { phase: "reading", done: 0, total: 0 };
    try {
      const r = await this.run((p) => { this.progress = p; });
      if (r.blob !== undefined) {
        const url = URL.createObjectURL(r.blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = r.fileName;
        a.rel = "noopener";
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }
      this.status = tr("exported", { file: r.fileName, items: r.items, signedBy: shortKey(r.signedBy), encryptedFor: shortKey(r.encryptedFor) })
        + (r.missing > 0 ? ` ${tr("exportedMissing", { missing: r.missing })}` : "");
    } catch (e: unknown) {
      const name = e instanceof Error ? e.name : "";
      if (name === "ArchiveCancelled") return;
      const code = (e as { errcode?: unknown }).errcode;
      this.error = name === "ArchiveNotConfigured" || code === "M_NOT_FOUND" ? tr("notConfigured")
        : code === "M_FORBIDDEN" ? tr("forbidden")
          : tr("exportFailed", { error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.progress = undefined;
    }
  }

  private phaseText(p: ArchiveProgress): string {
    return p.phase === "files" ? this.tr("phase_files", { done: p.done, total: p.total }) : this.tr(`phase_${p.phase}`);
  }

  override render(): unknown {
    const tr = this.tr;
    const p = this.progress;
    const lv = this.level;
    const refused = lv !== undefined && lv.mine < lv.needed;
    return html`<section aria-labelledby="archive-title">
      <h2 id="archive-title">${tr("archiveTitle")}</h2>
      <div class="row">
        <button type="button" ?disabled=${p !== undefined || refused} aria-describedby=${refused ? "archive-refused archive-help" : "archive-help"} @click=${() => void this.start()}>${tr("exportArchive")}</button>
        ${p === undefined ? nothing : html`<progress aria-label=${tr("exportProgress")} max=${p.phase === "files" ? Math.max(1, p.total) : nothing} value=${p.phase === "files" ? p.done : nothing}></progress>`}
      </div>
      ${refused ? html`<p id="archive-refused">${tr("needsModerator", { needed: lv.needed, mine: lv.mine })}</p>` : nothing}
      <p id="archive-help" class="muted">${tr("exportHelp")}</p>
      <p role="status" aria-live="polite">${p !== undefined ? this.phaseText(p) : this.status}</p>
      ${this.error !== "" ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }
}
customElements.define("ent-archive-export", ArchiveExportPanel);

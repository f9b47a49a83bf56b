// The folder view's transfers, as a Lit reactive controller of <ent-dossier> (dossier-view.ts):
// uploads (picked, dropped, new versions, resumed after a reload) with their progress until they
// end, downloads straight to disk with theirs, the interrupted ones offered again, and the outcome
// of each said in the view's status line. The view keeps the folder state; this keeps the transfers.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { parseDossierConfig, DEFAULT_LARGE_FILE_THRESHOLD } from "../../core/dossiers/dossier-config.ts";
import type { DossierEntry, FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort, InterruptedDownload, TransferHandle, TransferProgress } from "../../core/dossiers/dossiers-port.ts";
import type { DossierTranslate } from "./dossier-messages.ts";
import { downloadFailureText } from "./download-failure.ts";
import { savedName, uploadSaid } from "./transfer-said.ts";
import { renderDownloads, renderInterrupted, renderInterruptedDownloads, renderUploads, type Download, type Upload } from "./transfer-list.ts";

let configPromise: Promise<number> | undefined;
/** The large-file threshold from config.json (the client's own config, fetched once). */
function largeFileThreshold(): Promise<number> {
  configPromise ??= fetch("./config.json", { cache: "no-cache" }).then((r) => r.json()).then((j: unknown) => parseDossierConfig(j).largeFileThreshold, () => DEFAULT_LARGE_FILE_THRESHOLD);
  return configPromise;
}

/** What the transfers need from the view, read when used (the view's properties change). */
export interface TransfersDeps {
  port(): DossiersPort;
  roomId(): string;
  /** The open folder: new files go there. */
  folder(): string | undefined;
  /** The server's upload limit, if known. */
  maxUpload(): number | undefined;
  entry(id: string): DossierEntry | undefined;
  tr(): DossierTranslate;
  size(n: number | undefined): string;
  /** Says how a transfer went (the view's live status line). */
  say(text: string): void;
  refresh(): Promise<void>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const named = (e: unknown, name: string): boolean => e instanceof Error && e.name === name;

export class DossierTransfers implements ReactiveController {
  uploads: Upload[] = [];
  /** Downloads in progress: bytes decrypted so far (the bar is outside the live region). */
  downloads: Download[] = [];
  private key = 0;
  private readonly host: ReactiveControllerHost;
  private readonly deps: TransfersDeps;

  constructor(host: ReactiveControllerHost, deps: TransfersDeps) {
    this.host = host;
    this.deps = deps;
    host.addController(this);
  }

  hostConnected(): void { /* nothing to start: transfers begin on the agent's actions */ }

  private set(change: { uploads?: Upload[]; downloads?: Download[] }): void {
    if (change.uploads) this.uploads = change.uploads;
    if (change.downloads) this.downloads = change.downloads;
    this.host.requestUpdate();
  }

  /** Resolves true when every file was sent. */
  async uploadFiles(files: File[], target: { versionOf?: string }): Promise<boolean> {
    const { port, tr, size } = this.deps;
    const threshold = await largeFileThreshold();
    const max = this.deps.maxUpload();
    const sent = await Promise.all(files.map(async (file) => {
      // A file sent in parts only needs each part under the server's limit.
      if (max !== undefined && file.size > max && file.size <= threshold) {
        this.deps.say(tr()("tooLarge", { name: file.name, max: size(max) }));
        return false;
      }
      const roomId = this.deps.roomId();
      const parent = target.versionOf === undefined ? this.deps.folder() : undefined;
      return this.track(file.name, (onProgress) => port().upload(roomId, file, { parent, versionOf: target.versionOf }, threshold, onProgress), this.versionName(target.versionOf, file.name));
    }));
    return sent.every(Boolean);
  }

  /** Shows a transfer's progress bar until it ends, then says how it ended (true: sent); `versionOf`: the entry's name for a new version. */
  /** The name of the entry a new version is for (the uploaded file's own name when that entry is gone), or undefined for a new file. */
  private versionName(versionOf: string | undefined, fallback: string): string | undefined {
    return versionOf === undefined ? undefined : this.deps.entry(versionOf)?.name ?? fallback;
  }

  async track(name: string, start: (onProgress: (p: TransferProgress) => void) => TransferHandle, versionOf?: string): Promise<boolean> {
    const tr = this.deps.tr();
    const key = ++this.key;
    const failed = (e: unknown): string => (named(e, "NotSameFile") ? tr("notSameFile", { name }) : named(e, "FileChangedSinceUpload") ? tr("fileChanged", { name }) : tr("uploadFailed", { name, error: message(e) }));
    let handle: TransferHandle;
    try {
      handle = start((p) => this.set({ uploads: this.uploads.map((u) => (u.key === key ? { ...u, progress: p } : u)) }));
    } catch (e: unknown) {
      this.deps.say(failed(e));
      return false;
    }
    this.set({ uploads: [...this.uploads, { key, name, progress: undefined, handle }] });
    try {
      await handle.done;
      this.deps.say(uploadSaid(tr, name, versionOf));
      return true;
    } catch (e: unknown) {
      this.deps.say(named(e, "TransferCancelled") ? tr("uploadCancelled", { name }) : failed(e));
      return false;
    } finally {
      this.set({ uploads: this.uploads.filter((u) => u.key !== key) });
      void this.deps.refresh();
    }
  }

  async download(entry: DossierEntry, v: FileVersion): Promise<void> {
    // Straight to disk (transfer-list.ts shows progress); port.save must be the first await: the save dialog needs this click.
    const tr = this.deps.tr();
    const key = ++this.key;
    const abort = new AbortController();
    const name = savedName(entry, v);
    const saving = this.deps.port().save(v, name, (progress) => {
      this.set({ downloads: this.downloads.map((d) => (d.key === key ? { ...d, progress } : d)) });
    }, abort.signal, { roomId: this.deps.roomId(), entryId: entry.id });
    this.deps.say(tr("downloading", { name }));
    this.set({ downloads: [...this.downloads, { key, name, progress: undefined, cancel: () => abort.abort() }] });
    try {
      const { saved } = await saving;
      this.deps.say(saved !== "cancelled" ? tr("downloadSaved", { name }) : "");
    } catch (e: unknown) {
      const part = named(e, "DownloadCorrupted") ? (e as Error & { part?: number }).part : undefined;
      this.deps.say(abort.signal.aborted || named(e, "TransferCancelled") ? tr("downloadCancelled", { name })
        : named(e, "DownloadCorrupted") ? tr("downloadCorrupted", { name, where: part === undefined ? tr("corruptedWhole") : tr("corruptedPart", { n: part + 1 }) })
        : tr("downloadFailed", { name, error: downloadFailureText(e, tr) }));
    } finally {
      this.set({ downloads: this.downloads.filter((d) => d.key !== key) });
    }
  }

  /** "Reprendre" on an interrupted download: the same version again, from its start (synchronous up to port.save: the click's activation opens the save dialog). */
  resumeDownload(d: InterruptedDownload): void {
    const entry = this.deps.entry(d.entryId);
    const version = entry?.versions.find((v) => v.eventId === d.versionId);
    this.deps.port().forgetDownload(d.id);
    if (entry === undefined || version === undefined) {
      this.deps.say(this.deps.tr()("downloadGone", { name: d.name }));
      this.host.requestUpdate();
      return;
    }
    void this.download(entry, version);
  }

  /** Uploads under way, interrupted uploads and downloads, downloads under way. */
  render(): unknown[] {
    const { port, tr: t, size } = this.deps;
    const tr = t();
    const roomId = this.deps.roomId();
    return [
      renderUploads(this.uploads, tr, size),
      renderInterrupted(port().interruptedUploads(roomId), tr, size,
        (u, f) => void this.track(f?.name ?? u.name, (onProgress) => port().resumeUpload(u.id, f, onProgress), this.versionName(u.versionOf, u.name)),
        (u) => { port().abandonUpload(u.id); this.host.requestUpdate(); }),
      renderInterruptedDownloads(port().interruptedDownloads(roomId), tr, size, (d) => this.resumeDownload(d),
        (d) => { port().forgetDownload(d.id); this.host.requestUpdate(); }),
      renderDownloads(this.downloads, tr, size),
    ];
  }
}

// The folder view's transfers: uploads with progress (phase, percent, speed, time left) and their
// pause/resume/cancel buttons, downloads being decrypted, and uploads in parts a reload interrupted
// (pick the same file again, or abandon), and downloads a reload interrupted or the retries gave
// up on (start again, or forget). Templates only; the view owns the state.
import { html, nothing } from "lit";
import type { InterruptedDownload, InterruptedUpload, TransferHandle, TransferProgress } from "../../core/dossiers/dossiers-port.ts";
import type { DownloadProgress } from "../../core/dossiers/dossier-transfer.ts";
import { renderFilePicker } from "../shared/file-picker.ts";
import type { DossierTranslate } from "./dossier-messages.ts";

export interface Upload { key: number; name: string; progress: TransferProgress | undefined; handle: TransferHandle }
export interface Download { key: number; name: string; progress: DownloadProgress | undefined; cancel(): void }

function speedText(p: TransferProgress | undefined, tr: DossierTranslate, size: (n: number) => string): string {
  if (p?.phase === "paused") return p.pausedBy === "network" ? tr("pausedNetwork") : "";
  if (p === undefined || p.bytesPerSecond <= 0) return p?.phase === "uploading" ? tr("speedUnknown") : "";
  const s = p.remainingSeconds;
  const time = s === undefined ? "…" : s < 90 ? tr("seconds", { n: Math.ceil(s) }) : tr("minutes", { n: Math.ceil(s / 60) });
  return tr("speed", { speed: size(p.bytesPerSecond), time });
}

export function renderUploads(uploads: readonly Upload[], tr: DossierTranslate, size: (n: number) => string): unknown {
  if (uploads.length === 0) return nothing;
  return html`<ul class="uploads" aria-label=${tr("addFiles")}>${uploads.map((u) => {
    const p = u.progress;
    return html`<li>
      <span>${tr("upload", { name: u.name })}</span>
      <progress max=${p?.totalBytes ?? 1} value=${p?.sentBytes ?? 0} aria-label=${tr("upload", { name: u.name })}></progress>
      <span>${p === undefined ? "" : `${tr(`phase_${p.phase}`)} ${Math.floor((100 * p.sentBytes) / Math.max(1, p.totalBytes))} %`}</span>
      <span class="muted">${speedText(p, tr, size)}</span>
      ${!u.handle.pausable ? nothing : p?.phase === "paused"
        ? html`<button @click=${() => u.handle.resume()} aria-label=${tr("resumeUpload", { name: u.name })}>${tr("short_resume")}</button>`
        : html`<button @click=${() => u.handle.pause()} aria-label=${tr("pauseUpload", { name: u.name })}>${tr("short_pause")}</button>`}
      <button @click=${() => u.handle.cancel()} aria-label=${tr("cancelUpload", { name: u.name })}>${tr("cancel")}</button>
    </li>`;
  })}</ul>`;
}

/** Speed and time left of a download, or when it resumes after a network cut. */
function downloadSpeedText(p: DownloadProgress | undefined, tr: DossierTranslate, size: (n: number) => string): string {
  if (p?.retryInSeconds !== undefined) return tr("downloadRetry", { n: Math.ceil(p.retryInSeconds) });
  if (p === undefined || p.bytesPerSecond <= 0) return tr("speedUnknown");
  const s = p.remainingSeconds;
  const time = s === undefined ? "…" : s < 90 ? tr("seconds", { n: Math.ceil(s) }) : tr("minutes", { n: Math.ceil(s / 60) });
  return tr("speed", { speed: size(p.bytesPerSecond), time });
}

export function renderDownloads(downloads: readonly Download[], tr: DossierTranslate, size: (n: number) => string = (n) => `${n}`): unknown {
  if (downloads.length === 0) return nothing;
  return html`<ul class="uploads">${downloads.map((d) => {
    const p = d.progress;
    const total = p?.totalBytes;
    return html`<li><span>${tr("downloading", { name: d.name })}</span>
    <progress max=${total ?? 1} value=${total === undefined ? nothing : (p?.receivedBytes ?? 0)} aria-label=${tr("downloading", { name: d.name })}></progress>
    <span>${total === undefined || p === undefined ? "" : `${Math.floor((100 * p.receivedBytes) / Math.max(1, total))} %`}</span>
    <span class="muted">${downloadSpeedText(p, tr, size)}</span>
    <button @click=${() => d.cancel()} aria-label=${tr("cancelDownload", { name: d.name })}>${tr("cancel")}</button></li>`;
  })}</ul>`;
}

/** `resume` gets the file picked again, or none for a `ready` upload (only its message is left: « Publier »). */
export function renderInterrupted(list: readonly InterruptedUpload[], tr: DossierTranslate, size: (n: number) => string, resume: (u: InterruptedUpload, file: File | undefined) => void, abandon: (u: InterruptedUpload) => void): unknown {
  if (list.length === 0) return nothing;
  const picked = (u: InterruptedUpload) => (files: File[]): void => {
    const f = files[0];
    if (f !== undefined) resume(u, f);
  };
  return html`<section aria-labelledby="interrupted-title"><h2 id="interrupted-title">${tr("interrupted")}</h2><ul class="uploads">${list.map((u) => u.ready === true ? html`<li>
    <span>${tr("interruptedReady", { name: u.name, size: size(u.size) })}</span>
    <button @click=${() => resume(u, undefined)} aria-label=${tr("publishUpload", { name: u.name })}>${tr("short_publish")}</button>
    <button @click=${() => abandon(u)} aria-label=${tr("abandonUpload", { name: u.name })}>${tr("short_abandon")}</button>
  </li>` : html`<li>
    <span>${tr("interruptedLine", { name: u.name, size: size(u.size), done: u.partsDone, total: u.partsTotal })}</span>
    ${renderFilePicker({ id: `resume-${u.id}`, text: tr("resumePick", { name: u.name }), pick: picked(u) })}
    <button @click=${() => abandon(u)} aria-label=${tr("abandonUpload", { name: u.name })}>${tr("short_abandon")}</button>
  </li>`)}</ul></section>`;
}

export function renderInterruptedDownloads(list: readonly InterruptedDownload[], tr: DossierTranslate, size: (n: number) => string, resume: (d: InterruptedDownload) => void, forget: (d: InterruptedDownload) => void): unknown {
  if (list.length === 0) return nothing;
  return html`<section aria-labelledby="interrupted-downloads-title"><h2 id="interrupted-downloads-title">${tr("interruptedDownloads")}</h2><ul class="uploads">${list.map((d) => html`<li>
    <span>${tr(d.reason === "network" ? "interruptedDownloadNetwork" : "interruptedDownloadReload", { name: d.name, size: d.size === undefined ? "?" : size(d.size) })}</span>
    <button @click=${() => resume(d)} aria-label=${tr("resumeDownload", { name: d.name })}>${tr("short_resume")}</button>
    <button @click=${() => forget(d)} aria-label=${tr("forgetDownload", { name: d.name })}>${tr("short_forget")}</button>
  </li>`)}</ul></section>`;
}

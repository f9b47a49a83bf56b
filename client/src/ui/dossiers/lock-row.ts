// Templates of a file's advisory lock in the folder view's row (entry-row.ts): the lock line (who,
// until when; « Libérer » for its holder), the duration list when taking one, the row menu's item,
// and the offer to release after a new version. State and actions: dossier-locks.ts.
import { html, nothing } from "lit";
import type { DossierEntry } from "../../core/dossiers/dossier-model.ts";
import { isLockDuration, LOCK_DURATIONS, type FileLock } from "../../core/dossiers/file-locks.ts";
import type { MenuItem } from "../shared/menu-button.ts";
import type { DossierLocks } from "./dossier-locks.ts";

/** What a row needs of the locks: those active at this render, and the controller. */
export interface RowLocks {
  active: ReadonlyMap<string, FileLock>;
  ctl: DossierLocks;
  me: string;
}

/** « En cours de modification par … jusqu'à … », read with the row's name cell. */
export function lockLine(e: DossierEntry, l: RowLocks): unknown {
  const lock = l.active.get(e.id);
  if (lock === undefined || e.deleted) return nothing;
  const { tr } = l.ctl;
  return html`<div class="lock"><span aria-hidden="true">🔒 </span><span class="lock-text">${l.ctl.text(lock)}</span>
    ${lock.holder === l.me ? html` <button type="button" class="link" aria-label=${tr("release", { name: e.name })} @click=${() => void l.ctl.release(e.id, e.name)}>${tr("short_release")}</button>` : nothing}</div>`;
}

/**
 * Taking a lock: the durations in a list (1 h first) and « Signaler » to confirm, so that browsing
 * the list with the arrow keys sends nothing; Escape or « Annuler » gives up.
 */
export function lockPicker(e: DossierEntry, l: RowLocks): unknown {
  const { tr } = l.ctl;
  const submit = (ev: SubmitEvent): void => {
    ev.preventDefault();
    const v = (ev.target as HTMLFormElement).querySelector("select")?.value ?? "";
    if (isLockDuration(v)) void l.ctl.take(e, v);
  };
  const escape = (ev: KeyboardEvent): void => {
    if (ev.key !== "Escape") return;
    ev.preventDefault();
    ev.stopPropagation();
    l.ctl.startPicking(undefined);
  };
  return html`<form class="lock-form" @submit=${submit} @keydown=${escape}>
      <select class="lock-duration" aria-label=${tr("lockDuration", { name: e.name })}>
        ${LOCK_DURATIONS.map((d) => html`<option value=${d}>${tr(`duration_${d}`)}</option>`)}
      </select>
      <button type="submit" aria-label=${tr("takeLock", { name: e.name })}>${tr("short_confirmLock")}</button>
      <button type="button" aria-label=${tr("cancelLock", { name: e.name })} @click=${() => l.ctl.startPicking(undefined)}>${tr("cancel")}</button>
    </form>`;
}

/** The row menu's item: « Libérer » for the holder, else « Signaler que je le modifie » (disabled with the reason when not allowed). */
export function lockMenuItem(e: DossierEntry, l: RowLocks): MenuItem {
  const { tr } = l.ctl;
  const lock = l.active.get(e.id);
  if (lock !== undefined && lock.holder === l.me) return { label: tr("release", { name: e.name }), text: tr("short_release"), run: () => void l.ctl.release(e.id, e.name) };
  return { label: tr("takeLock", { name: e.name }), text: tr("short_takeLock"), disabledReason: l.ctl.refusal(e, lock), run: () => l.ctl.startPicking(e.id) };
}

/**
 * After a new version sent while holding the lock: release it, or keep it (the question itself is
 * said in the view's status line). The row's own « Libérer » shows meanwhile: this one's name differs.
 */
export function releaseOffer(l: RowLocks): unknown {
  const offer = l.ctl.offer;
  const lock = offer !== undefined ? l.active.get(offer.entryId) : undefined;
  if (offer === undefined || lock === undefined || lock.holder !== l.me) return nothing;
  const { tr } = l.ctl;
  return html`<div class="offer" role="group" aria-label=${tr("offerGroup", { name: offer.name })}>
    <button type="button" aria-label=${tr("releaseAfterVersion", { name: offer.name })} @click=${() => void l.ctl.release(offer.entryId, offer.name)}>${tr("short_release")}</button>
    <button type="button" aria-label=${tr("keepLock", { name: offer.name })} @click=${() => l.ctl.dismissOffer()}>${tr("short_keepLock")}</button></div>`;
}

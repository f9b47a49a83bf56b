// The folder view's advisory locks ("en cours de modification par …"), as a Lit reactive controller
// of <ent-dossier>: the locks active at each render (from the room state, port.locks), a timer to
// the next lock's end so an expiry shows without a reload or a new event, taking a lock for a
// picked duration, releasing it, and the offer to release after a new version by the holder.
// Templates for the row (lock line, duration list, menu items) are beside (lock-row.ts).
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { DossierEntry } from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import { lockExpiry, untilNextExpiry, type FileLock, type LockDuration } from "../../core/dossiers/file-locks.ts";
import type { Locale } from "../../core/i18n/translator.ts";
import { lockTranslator, untilText, type LockTranslate } from "./lock-messages.ts";

export interface LocksDeps {
  port(): DossiersPort;
  roomId(): string;
  locale(): Locale;
  who(userId: string): string;
  /** Says how an action went (the view's live status line). */
  say(text: string): void;
  /** Focuses the duration list of this entry's row (after it is drawn). */
  focusPicker(entryId: string): void;
  /** Gives the focus back to the entry's row. */
  focusRow(entryId: string): void;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class DossierLocks implements ReactiveController {
  /** The entry whose duration list is open. */
  picking: string | undefined;
  /** A new version was sent by this agent while holding the entry's lock: offer to release it. */
  offer: { entryId: string; name: string } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly host: ReactiveControllerHost & { updateComplete: Promise<boolean> };
  private readonly deps: LocksDeps;

  constructor(host: ReactiveControllerHost & { updateComplete: Promise<boolean> }, deps: LocksDeps) {
    this.host = host;
    this.deps = deps;
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  get tr(): LockTranslate {
    return lockTranslator(this.deps.locale());
  }

  /** The locks active now; the view redraws when the first of them ends. */
  current(): Map<string, FileLock> {
    const now = Date.now();
    const locks = this.deps.port().locks(this.deps.roomId(), now);
    clearTimeout(this.timer);
    const wait = untilNextExpiry(locks.values(), now);
    // A few ms past the end: activeLock counts a lock ending exactly now as over.
    if (wait !== undefined) this.timer = setTimeout(() => this.host.requestUpdate(), Math.min(wait + 20, 2 ** 31 - 1));
    return locks;
  }

  until(lock: FileLock): string {
    return untilText(lock.expiresAt, Date.now(), this.deps.locale());
  }

  /** The lock line of a row: who and until when. */
  text(lock: FileLock): string {
    const until = this.until(lock);
    return lock.holder === this.deps.port().userId ? this.tr("lockedByMe", { until }) : this.tr("lockedBy", { who: this.deps.who(lock.holder), until });
  }

  /** Why this agent may not take the entry's lock now (undefined: they may). */
  refusal(entry: DossierEntry, lock: FileLock | undefined): string | undefined {
    if (lock !== undefined && lock.holder !== this.deps.port().userId) return this.tr("lockedByOther", { name: entry.name, who: this.deps.who(lock.holder) });
    return this.deps.port().mayLock(this.deps.roomId()) ? undefined : this.tr("mayNotLock");
  }

  startPicking(entryId: string | undefined): void {
    const before = this.picking;
    this.picking = entryId;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => {
      if (entryId !== undefined) this.deps.focusPicker(entryId);
      else if (before !== undefined) this.deps.focusRow(before);
    });
  }

  async take(entry: DossierEntry, d: LockDuration): Promise<void> {
    this.startPicking(undefined);
    const expiresAt = lockExpiry(d, Date.now());
    try {
      await this.deps.port().lock(this.deps.roomId(), entry.id, expiresAt);
      this.deps.say(this.tr("lockTaken", { name: entry.name, until: untilText(expiresAt, Date.now(), this.deps.locale()) }));
    } catch (e: unknown) {
      this.deps.say(this.tr("lockFailed", { error: message(e) }));
    }
  }

  async release(entryId: string, name: string): Promise<void> {
    if (this.offer?.entryId === entryId) this.offer = undefined;
    this.host.requestUpdate();
    try {
      await this.deps.port().unlock(this.deps.roomId(), entryId);
      this.deps.say(this.tr("released", { name }));
    } catch (e: unknown) {
      this.deps.say(this.tr("lockFailed", { error: message(e) }));
    }
  }

  /** A new version of the entry was sent by this agent: if they hold its lock, offer to release it. */
  versionSent(entry: DossierEntry): void {
    const lock = this.deps.port().locks(this.deps.roomId(), Date.now()).get(entry.id);
    if (lock === undefined || lock.holder !== this.deps.port().userId) return;
    this.offer = { entryId: entry.id, name: entry.name };
    // Said in the live status line (after « envoyé »): the buttons follow it.
    this.deps.say(this.tr("versionWhileLocked", { name: entry.name, until: this.until(lock) }));
    this.host.requestUpdate();
  }

  dismissOffer(): void {
    this.offer = undefined;
    this.host.requestUpdate();
  }
}

// Runs a binding's sync passes: one at a time, 100 ms after a calendar event (debounced) and on
// each poll. A failing pass (CalDAV down, credentials refused) is retried with exponential
// back-off; the binding shows it once — its `error` state field set and one notice mentioning the
// room admins — and once again when it recovers (field cleared, one notice). The error field is
// the memory: a restarted bot that finds it set does not notify again, and clears it on success.
// After each pass (and for Matrix-only calendars) the follow-ups run: invitations, video.
import type { BotContext } from "../../../kit/src/start-bot.ts";
import { backoffMs } from "../sync/sync-engine.ts";
import { bindingError, brokenNotice, RECOVERED_NOTICE } from "./binding-errors.ts";
import { withoutError, writeBinding } from "./binding-state.ts";
import type { Bound } from "./bound.ts";
import { roomAdmins } from "./room-admins.ts";

export interface BindingSyncDeps {
  ctx: BotContext;
  stopped: () => boolean;
  followUp: (b: Bound) => Promise<void>;
  random?: () => number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function markBroken(d: BindingSyncDeps, b: Bound, e: unknown): Promise<void> {
  const error = bindingError(e);
  if (b.binding.error === error) return; // already shown (maybe by an earlier run of the bot)
  const notify = b.binding.error === undefined;
  await writeBinding(d.ctx, b, { ...b.binding, error }).catch((err: unknown) => d.ctx.log("warn", "binding error state not written", { room_id: b.roomId, error: errorText(err) }));
  if (!notify) return;
  const admins = roomAdmins(b.side.levels, d.ctx.botUserId);
  await d.ctx.send(b.roomId, "m.room.message", { msgtype: "m.notice", body: brokenNotice(error, admins), "m.mentions": { user_ids: admins } })
    .catch((err: unknown) => d.ctx.log("warn", "binding error notice not sent", { room_id: b.roomId, error: errorText(err) }));
}

async function markRecovered(d: BindingSyncDeps, b: Bound): Promise<void> {
  if (b.binding.error === undefined) return;
  await writeBinding(d.ctx, b, withoutError(b.binding));
  await d.ctx.send(b.roomId, "m.room.message", { msgtype: "m.notice", body: RECOVERED_NOTICE });
}

export async function runPass(d: BindingSyncDeps, b: Bound): Promise<void> {
  if (d.stopped() || b.retired === true) return;
  if (b.running) {
    b.again = true; // an event arrived during the pass: one more pass after it
    return;
  }
  b.running = true;
  b.again = false;
  try {
    if (b.engine !== undefined) {
      try {
        const stats = await b.engine.syncOnce();
        b.failures = 0;
        await markRecovered(d, b);
        if (stats.roomWrites + stats.remoteWrites > 0) d.ctx.log("info", "calendar synced", { room_id: b.roomId, ...stats, skipped: stats.skipped.length });
      } catch (e) {
        b.failures += 1;
        const delay = backoffMs(b.failures, d.random);
        d.ctx.log("warn", "calendar sync failed", { room_id: b.roomId, error: errorText(e), failures: b.failures, retry_ms: delay });
        await markBroken(d, b, e);
        schedule(d, b, delay, true);
      }
    } else if (b.binding.error !== undefined) {
      // No longer bound to CalDAV: nothing can fail any more.
      await writeBinding(d.ctx, b, withoutError(b.binding));
    }
    await d.followUp(b).catch((e: unknown) => d.ctx.log("warn", "calendar follow-up failed", { room_id: b.roomId, error: errorText(e) }));
  } finally {
    b.running = false;
  }
  if (b.again && b.failures === 0) schedule(d, b);
}

/**
 * A pass after `delay` ms. While the binding is failing, its back-off timer stands: events and
 * polls do not shorten it (`backoff` is the retry itself).
 */
export function schedule(d: BindingSyncDeps, b: Bound, delay = 100, backoff = false): void {
  if (d.stopped() || b.retired === true) return;
  if (!backoff && b.failures > 0 && b.timer !== undefined) return;
  if (b.timer !== undefined) clearTimeout(b.timer);
  b.timer = setTimeout(() => {
    b.timer = undefined;
    void runPass(d, b);
  }, delay);
}

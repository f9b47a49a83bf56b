// A thread's replies from the server (GET /relations/{root}/m.thread, every page, decrypted), for
// the thread panel: the live timeline may not reach back to them. Loaded after sign-in only.
import { Direction, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import type { RawEvent } from "./raw-event.ts";

/** At most this many replies are fetched for one thread (pages of 100). */
const MAX_REPLIES = 2_000;

export async function fetchThread(client: MatrixClient, roomId: string, rootId: string, toRaw: (e: MatrixEvent) => RawEvent | undefined): Promise<RawEvent[]> {
  const out: MatrixEvent[] = [];
  let root: MatrixEvent | undefined;
  let from: string | undefined;
  do {
    const page = await client.relations(roomId, rootId, "m.thread", null, { dir: Direction.Forward, limit: 100, ...(from !== undefined ? { from } : {}) });
    root ??= page.originalEvent ?? undefined;
    out.push(...page.events);
    from = page.nextBatch ?? undefined;
  } while (from !== undefined && out.length < MAX_REPLIES);
  const all = root !== undefined ? [root, ...out] : out;
  await Promise.all(all.map((e) => client.decryptEventIfNeeded(e)));
  return all.flatMap((e) => toRaw(e) ?? []);
}

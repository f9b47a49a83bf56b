// PUT /_matrix/federation/v1/send/{txnId}: PDUs and EDUs from another server, idempotent per origin,
// rate limited per origin (rate_limits.federation_send).
import type { Handler } from "../../http/router.ts";
import type { ServerContext } from "../../context.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";
import { serverNameOf } from "../../../spec/ids.ts";
import { bodyObject } from "../json.ts";
import { checkAcl, fed } from "./common.ts";
import { handleEdu } from "./edus.ts";
import type { PendingCommits } from "../../federation/inbound/remote-input.ts";

export const sendTransaction = (s: ServerContext): Handler => async (ctx) => {
  const f = fed(s);
  const { origin } = await f.authenticate(ctx);
  // per origin, after the signature is checked (so a forger cannot spend a partner's allowance);
  // a throttled partner's sender retries after retry_after_ms and loses nothing
  s.rateLimiter.take("federation_send", origin, s.config.rateLimits.federationSend);
  const body = bodyObject(ctx.body);
  if (body["origin"] !== undefined && body["origin"] !== origin) throw new MatrixError("M_FORBIDDEN", 403, "Transaction origin does not match the signature");
  const pdus = body["pdus"] ?? [];
  const edus = body["edus"] ?? [];
  if (!Array.isArray(pdus) || !Array.isArray(edus)) throw new MatrixError("M_BAD_JSON", 400, "'pdus' and 'edus' must be arrays");
  if (pdus.length > 50 || edus.length > 100) throw new MatrixError("M_BAD_JSON", 400, "At most 50 PDUs and 100 EDUs per transaction");
  const txnId = ctx.params["txnId"] ?? "";
  const previous = await f.store.inboundTxn(origin, txnId);
  if (previous) return { json: JSON.parse(previous) as unknown };
  f.sender.retryNow(origin); // it talks to us, so it is reachable again
  const results: Record<string, { error?: string }> = {};
  // the events' commits and the transaction's record share one COMMIT (one fsync) where they can
  const commits: PendingCommits = [];
  const acl = new Map<string, Promise<string | undefined>>(); // one ACL read per room per transaction
  const handle = (edu: unknown): Promise<void> =>
    handleEdu(s, origin, edu).catch((err: unknown) => ctx.log.info("EDU ignored", { origin, error: err instanceof Error ? err.message : String(err) }));
  // To-device messages first: a room key that travels with the encrypted events it unlocks is
  // stored before those events are committed and wake a sync, so a client does not meet an event
  // before its key (it would show "unable to decrypt" until the next sync). Device list updates
  // stay after the events: they wake the users sharing a room with that user, which a join in
  // this same transaction may change.
  const [toDeviceEdus, otherEdus] = [edus.filter(isToDevice), edus.filter((e) => !isToDevice(e))];
  for (const edu of toDeviceEdus) await handle(edu);
  for (const [i, raw] of pdus.entries()) {
    const roomId = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>)["room_id"] : undefined;
    if (typeof roomId === "string") {
      let denial = acl.get(roomId);
      if (!denial) acl.set(roomId, denial = checkAcl(s, roomId, origin).then(() => undefined, (e: unknown) => (e instanceof Error ? e.message : String(e))));
      const denied = await denial;
      if (denied) {
        results[eventIdGuess(raw, i)] = { error: denied };
        continue;
      }
    }
    const r = await f.input.receive(origin, raw, commits);
    results[r.eventId || eventIdGuess(raw, i)] = r.error ? { error: r.error } : {};
  }
  // device lists, typing, receipts, presence: after the events they may depend on
  for (const edu of otherEdus) await handle(edu);
  const response = { pdus: results };
  commits.push(f.store.stageInboundTxn(origin, txnId, JSON.stringify(response), s.clock.now()));
  // a failed COMMIT refuses the transaction (500): the origin retries it, nothing is lost
  await Promise.all(commits);
  return { json: response };
};

const isToDevice = (edu: unknown): boolean => edu !== null && typeof edu === "object" && (edu as Record<string, unknown>)["edu_type"] === "m.direct_to_device";

/** Key for a PDU whose event id cannot be computed: its position in the transaction. */
function eventIdGuess(raw: unknown, index: number): string {
  const sender = raw && typeof raw === "object" ? (raw as Record<string, unknown>)["sender"] : undefined;
  return `invalid-pdu-${index}-from-${typeof sender === "string" ? (serverNameOf(sender) ?? "?") : "?"}`;
}

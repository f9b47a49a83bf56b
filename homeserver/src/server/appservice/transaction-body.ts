// Builds the body of PUT /_matrix/app/v1/transactions/{txnId} from queued items. Pure.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#put_matrixappv1transactionstxnid
// Ephemeral data goes under `ephemeral` (v1.13) and again under MSC2409's unstable name, which
// bridges written before v1.13 still read; to-device messages (MSC2409) and device list changes
// (MSC3202) have only unstable names. Items were filtered by opt-in when they were queued.
import type { JsonObject, JsonValue } from "../../room/pdu.ts";
import type { QueueItem } from "../../storage/appservice-store.ts";

/** Most items in one transaction (events and ephemeral data together). */
export const MAX_TXN_ITEMS = 100;

export function transactionBody(items: readonly QueueItem[]): JsonObject {
  const events: JsonValue[] = [];
  const ephemeral: JsonValue[] = [];
  const toDevice: JsonValue[] = [];
  const changed = new Set<string>();
  const left = new Set<string>();
  for (const it of items) {
    const value = JSON.parse(it.json) as JsonValue;
    if (it.kind === "event") events.push(value);
    else if (it.kind === "ephemeral") ephemeral.push(value);
    else if (it.kind === "to_device") toDevice.push(value);
    else mergeDeviceLists(value, changed, left);
  }
  const body: JsonObject = { events };
  if (ephemeral.length > 0) {
    body["ephemeral"] = ephemeral;
    body["de.sorunome.msc2409.ephemeral"] = ephemeral;
  }
  if (toDevice.length > 0) {
    body["to_device"] = toDevice;
    body["de.sorunome.msc2409.to_device"] = toDevice;
  }
  if (changed.size > 0 || left.size > 0) body["org.matrix.msc3202.device_lists"] = { changed: [...changed], left: [...left] };
  return body;
}

/** A later change for the same user overrides an earlier one within the batch. */
function mergeDeviceLists(value: JsonValue, changed: Set<string>, left: Set<string>): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  for (const u of strings(value["changed"])) {
    changed.add(u);
    left.delete(u);
  }
  for (const u of strings(value["left"])) {
    left.add(u);
    changed.delete(u);
  }
}

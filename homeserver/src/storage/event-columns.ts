// A stored event's type, sender and state key from the columns read with it (no JSON parse), or
// from its PDU for rows built without them.
import type { StoredEventRow } from "./event-store.ts";

export const typeOfRow = (row: StoredEventRow): string => row.columns?.type ?? row.event.pdu.type;

export const senderOfRow = (row: StoredEventRow): string => row.columns?.sender ?? row.event.pdu.sender;

export const stateKeyOfRow = (row: StoredEventRow): string | undefined => (row.columns ? row.columns.stateKey : row.event.pdu.state_key);

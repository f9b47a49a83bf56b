// matrix-js-sdk types sendEvent/sendStateEvent by a closed map of known event types; polls, spaces
// and our own types are outside it. These two wrappers are the one place that widens the call.
import type { MatrixClient } from "matrix-js-sdk";

type Send = (roomId: string, type: string, content: Record<string, unknown>, txnId?: string) => Promise<{ event_id: string }>;
type SendState = (roomId: string, type: string, content: Record<string, unknown>, stateKey: string) => Promise<{ event_id: string }>;

/** `txnId`: ours when a send may be repeated after a reload (same device, same id: the server answers with the first event). */
export const sendAny = (client: MatrixClient, roomId: string, type: string, content: Record<string, unknown>, txnId?: string): Promise<{ event_id: string }> =>
  (client.sendEvent.bind(client) as unknown as Send)(roomId, type, content, txnId);

export const sendStateAny = (client: MatrixClient, roomId: string, type: string, content: Record<string, unknown>, stateKey: string): Promise<{ event_id: string }> =>
  (client.sendStateEvent.bind(client) as unknown as SendState)(roomId, type, content, stateKey);

// A room event as /sync, /messages, /relations or an appservice transaction give it (content
// already decrypted): what the bots keep per room and hand to the folds.
export interface RawRoomEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  unsigned?: Record<string, unknown>;
  redacts?: string;
}

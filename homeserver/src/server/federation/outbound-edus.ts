// Typing notifications and read receipts of our users, sent as EDUs to every other server in the
// room, and presence to every server sharing a room with the user. Called from the client API for
// local users only, so an EDU received from a remote server is never echoed back.
// (Presence is not delivered in /sync yet: only GET /presence shows it.)
// Spec: https://spec.matrix.org/v1.16/server-server-api/#typing-notifications
//       https://spec.matrix.org/v1.16/server-server-api/#receipts
import type { FederationSender } from "./sending/federation-sender.ts";
import type { Logger } from "../log.ts";

export interface Edu {
  edu_type: string;
  content: Record<string, unknown>;
}

/** The m.typing EDU: one user, one room. */
export function typingEdu(roomId: string, userId: string, typing: boolean): Edu {
  return { edu_type: "m.typing", content: { room_id: roomId, user_id: userId, typing } };
}

export interface ReadReceipt {
  roomId: string;
  userId: string;
  eventId: string;
  ts: number;
  /** "" for an unthreaded receipt (then no thread_id is sent). */
  threadId: string;
}

/** The m.receipt EDU for one public read receipt (m.read.private never leaves the server). */
export function receiptEdu(r: ReadReceipt): Edu {
  const data: Record<string, unknown> = { ts: r.ts };
  if (r.threadId !== "") data["thread_id"] = r.threadId;
  return { edu_type: "m.receipt", content: { [r.roomId]: { "m.read": { [r.userId]: { event_ids: [r.eventId], data } } } } };
}

export interface OutboundEdusDeps {
  sender: Pick<FederationSender, "enqueueEdu">;
  /** Servers with a joined member in the room (ours included; the sender drops it). */
  serversInRoom(roomId: string): Promise<Set<string>>;
  serverName: string;
  log: Logger;
  /** Rooms the user is joined to (presence goes to every server of those rooms). */
  joinedRooms(userId: string): Promise<string[]>;
}

export class OutboundEdus {
  private readonly d: OutboundEdusDeps;

  constructor(deps: OutboundEdusDeps) {
    this.d = deps;
  }

  /** A local user started or stopped typing. Never throws: the local change already happened. */
  async typing(roomId: string, userId: string, typing: boolean): Promise<void> {
    await this.send(roomId, typingEdu(roomId, userId, typing));
  }

  /** A local user's public read receipt (m.read). Never throws. */
  async readReceipt(r: ReadReceipt): Promise<void> {
    await this.send(r.roomId, receiptEdu(r));
  }

  /** A local user's presence (m.presence). Never throws. */
  async presence(userId: string, presence: string, statusMsg: string | undefined): Promise<void> {
    try {
      const destinations = new Set<string>();
      for (const roomId of await this.d.joinedRooms(userId)) for (const server of await this.d.serversInRoom(roomId)) destinations.add(server);
      destinations.delete(this.d.serverName);
      if (destinations.size === 0) return;
      const push = { user_id: userId, presence, last_active_ago: 0, currently_active: presence === "online", ...(statusMsg === undefined ? {} : { status_msg: statusMsg }) };
      await this.d.sender.enqueueEdu(destinations, { edu_type: "m.presence", content: { push: [push] } });
    } catch (err) {
      this.d.log.error("could not queue presence", { user_id: userId, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async send(roomId: string, edu: Edu): Promise<void> {
    try {
      const destinations = [...(await this.d.serversInRoom(roomId))].filter((s) => s !== this.d.serverName);
      if (destinations.length > 0) await this.d.sender.enqueueEdu(destinations, edu);
    } catch (err) {
      this.d.log.error("could not queue EDU", { room_id: roomId, edu_type: edu.edu_type, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

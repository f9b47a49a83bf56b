// Which events and ephemeral data an application service receives.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#registration — an appservice is
// "interested" in an event when its sender, or the target of a membership event, is one of its
// users; when the room id matches its rooms namespace or the room has an alias in its aliases
// namespace; or when one of its (local) users is a joined member of the room. Typing and
// receipts follow "the same rules as regular events" for their room.
import { claimsAlias, claimsRoom, claimsUser, type NamespaceOwner } from "./namespaces.ts";

export interface RoomFactsSource {
  aliasesOf(roomId: string): Promise<string[]>;
  joinedMembers(roomId: string): Promise<string[]>;
}

/** Room aliases and joined members, read at most once per room for one batch of events. */
export class RoomFacts {
  private readonly source: RoomFactsSource;
  private readonly aliases = new Map<string, Promise<string[]>>();
  private readonly members = new Map<string, Promise<string[]>>();

  constructor(source: RoomFactsSource) {
    this.source = source;
  }

  aliasesOf(roomId: string): Promise<string[]> {
    return memo(this.aliases, roomId, () => this.source.aliasesOf(roomId));
  }

  joinedMembers(roomId: string): Promise<string[]> {
    return memo(this.members, roomId, () => this.source.joinedMembers(roomId));
  }
}

function memo(map: Map<string, Promise<string[]>>, key: string, load: () => Promise<string[]>): Promise<string[]> {
  let p = map.get(key);
  if (!p) {
    p = load();
    map.set(key, p);
  }
  return p;
}

/** Interest in everything happening in a room. */
export async function interestedInRoom(owner: NamespaceOwner, roomId: string, facts: RoomFacts, serverName: string): Promise<boolean> {
  if (claimsRoom(owner, roomId)) return true;
  if ((await facts.aliasesOf(roomId)).some((a) => claimsAlias(owner, a))) return true;
  return (await facts.joinedMembers(roomId)).some((u) => claimsUser(owner, u, serverName));
}

export interface EventSummary {
  roomId: string;
  sender: string;
  type: string;
  stateKey: string | undefined;
}

export async function interestedInEvent(owner: NamespaceOwner, ev: EventSummary, facts: RoomFacts, serverName: string): Promise<boolean> {
  if (claimsUser(owner, ev.sender, serverName)) return true;
  if (ev.type === "m.room.member" && ev.stateKey !== undefined && claimsUser(owner, ev.stateKey, serverName)) return true;
  return interestedInRoom(owner, ev.roomId, facts, serverName);
}

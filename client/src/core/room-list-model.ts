// Groups rooms the way agents think of them: working groups (spaces) with their rooms, direct
// messages, other rooms, invitations; unread counts summed per space; newest activity first.
export interface RoomSummary {
  roomId: string;
  name: string;
  isSpace: boolean;
  membership: "join" | "invite";
  isDirect: boolean;
  encrypted: boolean;
  unread: number;
  highlights: number;
  lastActivity: number;
  /** Room ids this space lists as m.space.child (spaces only). */
  children: readonly string[];
  /** For invitations: who invited (user id), and their display name when the invitation carries it. */
  inviter?: string | undefined;
  inviterName?: string | undefined;
  /** The room's image (mxc://), if it has one. */
  avatar?: string | undefined;
}

export interface SpaceGroup { space: RoomSummary; rooms: RoomSummary[]; unread: number; highlights: number }

export interface RoomListView {
  invites: RoomSummary[];
  spaces: SpaceGroup[];
  directs: RoomSummary[];
  others: RoomSummary[];
  totalUnread: number;
}

const byActivity = (a: RoomSummary, b: RoomSummary): number => b.lastActivity - a.lastActivity || a.name.localeCompare(b.name);

export function buildRoomList(rooms: readonly RoomSummary[]): RoomListView {
  const joined = rooms.filter((r) => r.membership === "join");
  const byId = new Map(joined.map((r) => [r.roomId, r]));
  const inSomeSpace = new Set<string>();
  const spaces: SpaceGroup[] = [];
  for (const space of joined.filter((r) => r.isSpace)) {
    const members = space.children.flatMap((id) => {
      const room = byId.get(id);
      return room !== undefined && !room.isSpace ? [room] : [];
    });
    for (const r of members) inSomeSpace.add(r.roomId);
    members.sort(byActivity);
    spaces.push({
      space, rooms: members,
      unread: members.reduce((n, r) => n + r.unread, 0),
      highlights: members.reduce((n, r) => n + r.highlights, 0),
    });
  }
  spaces.sort((a, b) => a.space.name.localeCompare(b.space.name));
  const plain = joined.filter((r) => !r.isSpace && !inSomeSpace.has(r.roomId));
  const countable = joined.filter((r) => !r.isSpace);
  return {
    invites: rooms.filter((r) => r.membership === "invite").sort(byActivity),
    spaces,
    directs: plain.filter((r) => r.isDirect).sort(byActivity),
    others: plain.filter((r) => !r.isDirect).sort(byActivity),
    totalUnread: countable.reduce((n, r) => n + r.unread, 0),
  };
}

/** Who sent an invitation, as the list says it: « Entente Tâches (ville-a.fr) », the name and the council; the id without a name. */
export function inviterText(userId: string, name: string | undefined): string {
  return name === undefined || name === "" ? userId : `${name} (${userId.slice(userId.indexOf(":") + 1)})`;
}

/** "(3) Entente": the page title carries the unread count, as agents see it in their tab bar. */
export const pageTitle = (appName: string, unread: number, room?: string): string =>
  `${unread > 0 ? `(${unread}) ` : ""}${room !== undefined ? `${room} · ` : ""}${appName}`;

// What the assignee picker's listbox offers for the text typed: the room's members not chosen yet
// whose name or id contains it, sorted by name (French collation), bots left out (they cannot do a
// task: Entente's bots by their namespace; the bots a room declares in io.element.functional_members
// are left out by the client's pickers but not here, the board having no capability for that state);
// without the `assign` level oneself only; a full Matrix id typed in is offered too (someone not in
// the room yet), unless it is a bot's. Pure.
import type { Member } from "./board-store.ts";
import { isServiceMember } from "../../../appservices/protocol/src/service-members.ts";
import { isUserId } from "../../../appservices/protocol/src/parse.ts";

export interface AssigneeOption { userId: string; name: string | undefined }

export interface AssigneeQuery {
  members: readonly Member[];
  chosen: readonly string[];
  query: string;
  /** May offer people other than oneself. */
  allowOthers: boolean;
  self: string;
}

export function assigneeOptions(q: AssigneeQuery): AssigneeOption[] {
  const text = q.query.trim().toLowerCase();
  const chosen = new Set(q.chosen);
  const out: AssigneeOption[] = q.members
    .filter((m) => !chosen.has(m.userId) && !isServiceMember(m.userId) && (q.allowOthers || m.userId === q.self))
    .filter((m) => text === "" || m.userId.toLowerCase().includes(text) || (m.displayName ?? "").toLowerCase().includes(text))
    .sort((a, b) => (a.displayName ?? a.userId).localeCompare(b.displayName ?? b.userId, "fr"))
    .map((m) => ({ userId: m.userId, name: m.displayName }));
  const typed = q.query.trim();
  if (q.allowOthers && isUserId(typed) && !isServiceMember(typed) && !chosen.has(typed) && !out.some((o) => o.userId === typed)) out.push({ userId: typed, name: undefined });
  return out;
}

// The text of a member in the objective form's owner list: the name and, to tell two "agent1" of
// two councils apart, the Matrix id. The SDK's member name already ends with " (id)" when another
// member of the room shares the display name: the id is not repeated then.
import type { MemberRef } from "./tasks-port.ts";

export function memberOptionLabel(m: MemberRef): string {
  return m.name === m.userId || m.name.endsWith(` (${m.userId})`) ? m.name : `${m.name} (${m.userId})`;
}

// Who in a room is a service (a bot) rather than an agent, so that pickers of people (an
// objective's owner, a task's assignees) do not offer bots. Two sources:
// - Entente's own bots: their registrations (homeserver-config/src/appservice-registration.ts) give
//   each one the exclusive user namespace `@entente-<bot>(_…)?:<server>`, so no agent can hold such
//   an id on a council's server (any server is matched: a user of another homeserver named so
//   would be taken for a bot too, and left out of the pickers);
// - any other bot a room declares in the `io.element.functional_members` state event (state key
//   ""), the convention Element uses to leave service members out of room names:
//   { "service_members": ["@bot:example.org", …] }.
// Pure.

/** The state event type listing a room's service members (Element's convention). */
export const FUNCTIONAL_MEMBERS = "io.element.functional_members";

const ENTENTE_BOT = /^@entente-(?:tasks|calendar)(?:_[^:]*)?:./;

/** The user ids a `io.element.functional_members` content declares (none for anything malformed). */
export function declaredServiceMembers(content: unknown): ReadonlySet<string> {
  if (typeof content !== "object" || content === null) return new Set();
  const list = (content as { service_members?: unknown }).service_members;
  if (!Array.isArray(list)) return new Set();
  return new Set(list.filter((u): u is string => typeof u === "string" && u.startsWith("@")));
}

/** Whether `userId` is a bot: one of Entente's, or one the room declares. */
export function isServiceMember(userId: string, declared: ReadonlySet<string> = new Set()): boolean {
  return ENTENTE_BOT.test(userId) || declared.has(userId);
}

// Bot answers name people by their Matrix id in what the bot composes (« @bob:agglo-b : rappel… »);
// agents read names. Given the room's joined members' display names, each member's id in the body
// becomes their name in `body` and a pill (a matrix.to link, which Element and our client show as
// the person) in `formatted_body`. Only ids of members (joined or invited) with a name that no
// other member shares are replaced (two « agent1 » stay told apart by their ids), and never by a
// name that could pass for someone else (one that looks like a Matrix id, or holds control or
// bidirectional-override characters: any member chooses their own name); anything else stays as written.
// Notifications are unchanged: they follow `m.mentions` (intentional mentions), not the text. Pure.
// https://spec.matrix.org/v1.16/client-server-api/#user-and-room-mentions

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A text with people named: `html` only when some id was replaced. */
export interface NamedText {
  body: string;
  html?: string;
}

/** Whether a body may name someone (then the members' names are worth reading). */
export const mayNameUsers = (body: string): boolean => /@[^\s:@]+:[A-Za-z0-9[]/.test(body);

/** A name that could be read as someone else's id, or that reorders or hides text around it. */
const misleading = (name: string): boolean => /@[^\s:]+:/.test(name) || /[\p{Cc}\p{Cf}]/u.test(name);

/** Names the members of `names` (user id → display name; joined and invited members) found in `body`. */
export function nameUsers(body: string, names: ReadonlyMap<string, string>): NamedText {
  const count = new Map<string, number>();
  for (const name of names.values()) count.set(name, (count.get(name) ?? 0) + 1);
  const named = [...names].filter(([id, name]) => name.trim() !== "" && name !== id && !misleading(name) && count.get(name) === 1 && body.includes(id));
  if (named.length === 0) return { body };
  const byId = new Map(named);
  // Longest ids first; an id ends where a server name cannot go on (« @carol:ville-a. » ends at the dot).
  const ids = named.map(([id]) => id).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(${ids.map(escapeRegex).join("|")})(?![A-Za-z0-9\\-:]|\\.[A-Za-z0-9])`, "g");
  let plain = "";
  let html = "";
  let last = 0;
  for (const m of body.matchAll(pattern)) {
    const id = m[1] ?? "";
    const name = byId.get(id) ?? id;
    const before = body.slice(last, m.index);
    plain += before + name;
    html += escapeHtml(before) + `<a href="https://matrix.to/#/${escapeHtml(id)}">${escapeHtml(name)}</a>`;
    last = m.index + m[0].length;
  }
  if (last === 0) return { body };
  plain += body.slice(last);
  html += escapeHtml(body.slice(last));
  return { body: plain, html: html.replace(/\n/g, "<br>") };
}

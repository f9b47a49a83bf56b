// @-mentions in the composer: the "@term" being typed, the candidates to offer (local directory,
// people met in shared rooms, whatever their council, and a full Matrix id typed out), the text
// inserted (a matrix.to Markdown link, which Element renders as a pill) and the user ids to put in
// m.mentions. Pure. Spec: https://spec.matrix.org/v1.16/client-server-api/#user-and-room-mentions
export interface MentionCandidate { userId: string; name: string }

/** The "@term" right before the caret (at the start or after a space), if one is being typed. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]*(?::[^\s]*)?)$/.exec(before);
  if (m?.[2] === undefined) return undefined;
  return { start: caret - m[2].length - 1, query: m[2] };
}

const escapeLinkText = (s: string): string => s.replace(/[[\]\\]/g, "\\$&");

/** Replaces "@term" by a Markdown link to the person; returns the new text and caret. */
export function insertMention(text: string, start: number, caret: number, who: MentionCandidate): { text: string; caret: number } {
  const link = `[${escapeLinkText(who.name)}](https://matrix.to/#/${who.userId}) `;
  return { text: text.slice(0, start) + link + text.slice(caret), caret: start + link.length };
}

/** User ids mentioned as matrix.to links in a composed text (for m.mentions). */
export function mentionedUserIds(text: string): string[] {
  const ids = [...text.matchAll(/\]\(https:\/\/matrix\.to\/#\/(@[^\s)/?]+:[^\s)/?]+)\)/g)].flatMap((m) => m[1] ?? []);
  return [...new Set(ids)];
}

/** The plain-text body of a composed text: mention links read as the names, as Element sends them. */
export const withPlainMentions = (text: string): string =>
  text.replace(/\[((?:\\.|[^\]\\])*)\]\(https:\/\/matrix\.to\/#\/@[^\s)]+\)/g, (_all, name: string) => name.replace(/\\(.)/g, "$1"));

export const looksLikeUserId = (s: string): boolean => /^@[^\s:]+:[^\s:]+(?::\d+)?$/.test(s);

/**
 * Candidates for a query, best first: names or ids starting with it, then containing it; each
 * person once (the first list that has them gives the name). Empty query: the first ones as given.
 */
export function rankMentionCandidates(query: string, lists: readonly (readonly MentionCandidate[])[], me: string, limit = 8): MentionCandidate[] {
  const q = query.toLowerCase();
  const seen = new Set<string>([me]);
  const scored: { c: MentionCandidate; score: number; order: number }[] = [];
  for (const c of lists.flat()) {
    if (seen.has(c.userId)) continue;
    seen.add(c.userId);
    const name = c.name.toLowerCase();
    const local = c.userId.slice(1).toLowerCase();
    const score = q === "" ? 1 : name.startsWith(q) || local.startsWith(q) ? 0 : name.includes(q) || c.userId.toLowerCase().includes(q) ? 1 : -1;
    if (score >= 0) scored.push({ c, score, order: scored.length });
  }
  return scored.sort((a, b) => a.score - b.score || a.order - b.order).slice(0, limit).map((s) => s.c);
}

// What a screen reader says for a reaction button (« 👍 : 2 réactions, de Alice et vous »): the
// key, the count, who reacted (« vous » for me; past MAX_NAMES, how many others). Pure.
import type { Locale, Translate } from "./i18n/translator.ts";
import type { ReactionView } from "./timeline-model.ts";

export const MAX_NAMES = 5;

export function reactionLabel(t: Translate, locale: Locale, r: Pick<ReactionView, "key" | "count" | "senders">, me: string, nameOf: (userId: string) => string): string {
  const named = r.senders.slice(0, MAX_NAMES).map((id) => (id === me ? t("reactionYou") : nameOf(id)));
  const rest = r.senders.length - named.length;
  if (rest > 0) named.push(t("reactionOthers", { count: rest }));
  const names = new Intl.ListFormat(locale, { type: "conjunction" }).format(named);
  return t("reactionLabel", { key: r.key, count: r.count, names });
}

// A small typed message table instead of @lit/localize: its runtime mode needs the lit-localize
// extraction/build step and XLIFF files; with two languages and one table the compiler already
// checks every key (see client/README.md). core/ stays free of Lit.
import { messagesEn } from "./messages-en.ts";
import { messagesFr, type MessageKey } from "./messages-fr.ts";
import { formatMessage } from "./plural-format.ts";

export type Locale = "fr" | "en";
export const LOCALES: readonly Locale[] = ["fr", "en"];

const tables: Record<Locale, Record<MessageKey, string>> = { fr: messagesFr, en: messagesEn };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table = tables[locale];
  return (key, params) => formatMessage(table[key], params, locale);
}

/** The locale to start with: a saved choice, else French unless the browser asks for English first. */
export function pickLocale(saved: string | null, browserLanguages: readonly string[]): Locale {
  if (saved === "fr" || saved === "en") return saved;
  const first = browserLanguages[0]?.toLowerCase() ?? "fr";
  return first.startsWith("en") ? "en" : "fr";
}

/** Day label of a timeline separator, in the locale's words. */
export function dayLabel(t: Translate, locale: Locale, day: Date, now: Date): string {
  const startOf = (d: Date): number => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diffDays = Math.round((startOf(now) - startOf(day)) / 86_400_000);
  if (diffDays === 0) return t("today");
  if (diffDays === 1) return t("yesterday");
  return day.toLocaleDateString(locale === "fr" ? "fr-FR" : "en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

// A view's own message table (French and English with the same keys) as a translate function:
// `{name}` placeholders take the given params, an unknown one stays as written; plural blocks as in
// plural-format.ts.
import type { Locale } from "./translator.ts";
import { formatMessage } from "./plural-format.ts";

export type TableTranslate<K extends string> = (key: K, params?: Record<string, string | number>) => string;

export function tableTranslator<K extends string>(tables: Readonly<Record<Locale, Readonly<Record<K, string>>>>, locale: Locale): TableTranslate<K> {
  const table = tables[locale];
  return (key, params) => formatMessage(table[key], params, locale);
}

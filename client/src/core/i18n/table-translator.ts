// A view's own message table (French and English with the same keys) as a translate function:
// `{name}` placeholders take the given params, an unknown one stays as written.
import type { Locale } from "./translator.ts";

export type TableTranslate<K extends string> = (key: K, params?: Record<string, string | number>) => string;

export function tableTranslator<K extends string>(tables: Readonly<Record<Locale, Readonly<Record<K, string>>>>, locale: Locale): TableTranslate<K> {
  const table = tables[locale];
  return (key, params) => table[key].replace(/\{(\w+)\}/g, (whole, name: string) => (params !== undefined && name in params ? String(params[name]) : whole));
}

// Fills a message's placeholders: `{name}` takes params.name, and an ICU-style plural block
// `{count, plural, =0 {aucune tâche} one {# tâche} other {# tâches}}` picks the branch for the
// number by the language's rules (Intl.PluralRules: French puts 0 and 1 in "one", English only 1),
// `#` standing for the number. Only this subset of ICU MessageFormat; an unknown name stays as written.
export type MessageParams = Readonly<Record<string, string | number>>;

const rulesByLocale = new Map<string, Intl.PluralRules>();
const rulesFor = (locale: string): Intl.PluralRules => {
  let r = rulesByLocale.get(locale);
  if (r === undefined) rulesByLocale.set(locale, (r = new Intl.PluralRules(locale)));
  return r;
};

/** The text of the balanced `{…}` starting at `open` (which must be "{"), and the index after it. */
function braced(text: string, open: number): { inner: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  return undefined;
}

function branches(body: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(=\d+|zero|one|two|few|many|other)\s*/.exec(body.slice(i));
    if (m === null) return body.slice(i).trim() === "" ? out : undefined;
    const b = braced(body, i + m[0].length);
    if (b === undefined || body[i + m[0].length] !== "{") return undefined;
    out.set(m[1] ?? "", b.inner);
    i = b.end;
  }
  return out;
}

function pluralBlocks(text: string, params: MessageParams, locale: string): string {
  let out = "";
  let i = 0;
  for (;;) {
    const at = text.slice(i).search(/\{\w+\s*,\s*plural\s*,/);
    if (at < 0) return out + text.slice(i);
    const start = i + at;
    const block = braced(text, start);
    const head = block === undefined ? null : /^(\w+)\s*,\s*plural\s*,([\s\S]*)$/.exec(block.inner);
    const forms = head === null ? undefined : branches(head[2] ?? "");
    const n = head === null ? NaN : Number(params[head[1] ?? ""]);
    if (block === undefined || forms === undefined || !forms.has("other") || Number.isNaN(n)) {
      out += text.slice(i, start + 1);
      i = start + 1;
      continue;
    }
    const chosen = forms.get(`=${n}`) ?? forms.get(rulesFor(locale).select(n)) ?? forms.get("other") ?? "";
    out += text.slice(i, start) + chosen.replaceAll("#", String(n));
    i = block.end;
  }
}

export function formatMessage(text: string, params: MessageParams | undefined, locale: string): string {
  if (params === undefined) return text;
  return pluralBlocks(text, params, locale).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * The parameter names a message uses, sorted, each once: `{name}` holes and the counted name of
 * each plural block (`{count, plural, …}`), with the holes inside its branches. For tests that
 * check a French text and its English one take the same parameters.
 */
export function placeholderNames(text: string): string[] {
  const names = [...text.matchAll(/\{(\w+)(?:\}|\s*,\s*plural\s*,)/g)].map((m) => m[1] ?? "");
  return [...new Set(names)].sort();
}

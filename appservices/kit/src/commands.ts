// Parsing of bot commands, pure. A command is a message whose body starts with "!" and one of the
// command's names, French or English (`!tâche` / `!task`); accents are optional when typing
// (`!tache`), and the name is matched case-insensitively. Everything after the name is the
// argument text, left to the command to parse. The word also tells the language to answer in
// (`!task` gets English, `!tâche` French): agents have no language setting the bots can read.

export interface CommandSpec<Name extends string = string> {
  /** Our own id of the command, e.g. "task". */
  name: Name;
  /** Every word that calls it, without the "!", e.g. ["tâche", "task"]: the French one first (shown
   * first in help), then the English ones. Where both languages share a word, it answers in French. */
  words: readonly string[];
  /** One line of help per language. */
  help: { fr: string; en: string };
}

/** The language a bot answers a command in. */
export type BotLang = "fr" | "en";

/** The sentence in the command's language; without one (a reminder, an unknown command), both: French (English). */
export const say = (lang: BotLang | undefined, fr: string, en: string): string => (lang === "fr" ? fr : lang === "en" ? en : `${fr} (${en})`);

export type ParsedCommand<Name extends string = string> =
  | { kind: "command"; name: Name; word: string; args: string; lang: BotLang }
  | { kind: "unknown"; word: string };

/** "Tâche" -> "tache": what the user typed and the command words compare equal without accents. */
export const foldWord = (w: string): string => w.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** undefined when the body is not a command at all (ordinary conversation). */
export function parseCommand<Name extends string>(body: string, specs: readonly CommandSpec<Name>[]): ParsedCommand<Name> | undefined {
  const m = /^\s*!(\p{L}[\p{L}\p{N}_-]*)(?:\s+([\s\S]*))?$/u.exec(body);
  if (!m) return undefined;
  const word = m[1] ?? "";
  const folded = foldWord(word);
  const args = (m[2] ?? "").trim();
  for (const spec of specs) {
    const at = spec.words.findIndex((w) => foldWord(w) === folded);
    if (at >= 0) return { kind: "command", name: spec.name, word, args, lang: at === 0 ? "fr" : "en" };
  }
  return { kind: "unknown", word };
}

/** The help message listing every command: in one language when asked by `!aide` or `!help`, else both. */
export function helpText(specs: readonly CommandSpec[], lang?: BotLang): string {
  if (lang === "fr") return ["Commandes :", ...specs.map((s) => `• !${s.words[0] ?? s.name} — ${s.help.fr}`)].join("\n");
  if (lang === "en") return ["Commands:", ...specs.map((s) => `• ${s.words.slice(1).map((w) => `!${w}`).join(" / ") || `!${s.words[0] ?? s.name}`} — ${s.help.en}`)].join("\n");
  const lines = specs.map((s) => `• ${s.words.map((w) => `!${w}`).join(" / ")} — ${s.help.fr} (${s.help.en})`);
  return ["Commandes / Commands:", ...lines].join("\n");
}

/** The plain-words answer to an unknown command, in both languages. */
export const unknownCommandText = (word: string, helpWord = "aide"): string =>
  `Je ne connais pas la commande « !${word} ». Tapez !${helpWord} pour la liste. ` +
  `(Unknown command "!${word}". Type !help for the list.)`;

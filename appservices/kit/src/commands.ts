// Parsing of bot commands, pure. A command is a message whose body starts with "!" and one of the
// command's names, French or English (`!tâche` / `!task`); accents are optional when typing
// (`!tache`), and the name is matched case-insensitively. Everything after the name is the
// argument text, left to the command to parse.

export interface CommandSpec<Name extends string = string> {
  /** Our own id of the command, e.g. "task". */
  name: Name;
  /** Every word that calls it, without the "!", e.g. ["tâche", "task"]; the first is shown in help. */
  words: readonly string[];
  /** One line of help per language. */
  help: { fr: string; en: string };
}

export type ParsedCommand<Name extends string = string> =
  | { kind: "command"; name: Name; word: string; args: string }
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
    if (spec.words.some((w) => foldWord(w) === folded)) return { kind: "command", name: spec.name, word, args };
  }
  return { kind: "unknown", word };
}

/** The bilingual help message listing every command. */
export function helpText(specs: readonly CommandSpec[]): string {
  const lines = specs.map((s) => `• ${s.words.map((w) => `!${w}`).join(" / ")} — ${s.help.fr} (${s.help.en})`);
  return ["Commandes / Commands:", ...lines].join("\n");
}

/** The plain-words answer to an unknown command, in both languages. */
export const unknownCommandText = (word: string, helpWord = "aide"): string =>
  `Je ne connais pas la commande « !${word} ». Tapez !${helpWord} pour la liste. ` +
  `(Unknown command "!${word}". Type !help for the list.)`;

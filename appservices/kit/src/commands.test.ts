import assert from "node:assert/strict";
import { helpText, parseCommand, say, unknownCommandText, type CommandSpec } from "./commands.ts";
import { threadReply, threadRootOf } from "./thread-reply.ts";

const SPECS: CommandSpec<"task" | "help">[] = [
  { name: "task", words: ["tâche", "task"], help: { fr: "crée une tâche", en: "creates a task" } },
  { name: "help", words: ["aide", "help"], help: { fr: "cette aide", en: "this help" } },
];

describe("bot commands (French and English)", () => {
  it("recognises both languages, with or without accents, any case", () => {
    for (const body of ["!tâche Budget", "!task Budget", "!tache Budget", "!TÂCHE Budget", "  !Task   Budget  "]) {
      const p = parseCommand(body, SPECS);
      assert.equal(p?.kind, "command", body);
      assert.ok(p?.kind === "command" && p.name === "task" && p.args === "Budget", body);
    }
    assert.deepEqual(parseCommand("!aide", SPECS), { kind: "command", name: "help", word: "aide", args: "", lang: "fr" });
  });

  it("answers in the language of the word used: !tâche French, !task English", () => {
    assert.deepEqual(["!tâche X", "!tache X", "!task X", "!HELP", "!aide"].map((b) => { const p = parseCommand(b, SPECS); return p?.kind === "command" ? p.lang : undefined; }), ["fr", "fr", "en", "en", "fr"]);
    assert.equal(say("fr", "Fait.", "Done."), "Fait.");
    assert.equal(say("en", "Fait.", "Done."), "Done.");
    assert.equal(say(undefined, "Fait.", "Done."), "Fait. (Done.)");
    assert.equal(helpText(SPECS, "en"), "Commands:\n• !task — creates a task\n• !help — this help");
    assert.equal(helpText(SPECS, "fr"), "Commandes :\n• !tâche — crée une tâche\n• !aide — cette aide");
  });

  it("leaves ordinary messages alone and names unknown commands", () => {
    assert.equal(parseCommand("bonjour !tâche", SPECS), undefined);
    assert.equal(parseCommand("! tâche", SPECS), undefined);
    assert.deepEqual(parseCommand("!tâches", SPECS), { kind: "unknown", word: "tâches" });
    assert.match(unknownCommandText("tâches"), /« !tâches ».*!aide.*Unknown command "!tâches".*!help/);
  });

  it("keeps multi-line arguments", () => {
    const p = parseCommand("!task Titre\nligne 2", SPECS);
    assert.ok(p?.kind === "command" && p.args === "Titre\nligne 2");
  });

  it("lists every command in the help, in both languages", () => {
    assert.equal(helpText(SPECS), "Commandes / Commands:\n• !tâche / !task — crée une tâche (creates a task)\n• !aide / !help — cette aide (this help)");
  });
});

describe("thread replies", () => {
  it("roots the thread at the command, or at the command's own thread", () => {
    const a = threadReply({ eventId: "$cmd" }, "ok", ["@b:x", "@b:x"]);
    assert.deepEqual(a["m.relates_to"], { rel_type: "m.thread", event_id: "$cmd", is_falling_back: true, "m.in_reply_to": { event_id: "$cmd" } });
    assert.deepEqual(a["m.mentions"], { user_ids: ["@b:x"] });
    const b = threadReply({ eventId: "$cmd", threadRoot: "$root" }, "ok");
    assert.equal((b["m.relates_to"] as Record<string, unknown>)["event_id"], "$root");
    assert.equal(threadRootOf(b), "$root");
    assert.equal(threadRootOf({ "m.relates_to": { rel_type: "m.reference", event_id: "$x" } }), undefined);
  });
});

// The tasks bot's answers to commands, in the command's language (`!tâche` French, `!task`
// English; kit/commands.ts). Every answer is a notice in the thread of the command; the
// bot writes tasks (roots, updates) itself, so it checks the commanding user's power level
// against the list's permissions before writing — the fold would judge the bot, not the user.
import type { BotContext, BotEvent } from "../../kit/src/start-bot.ts";
import { helpText, say, unknownCommandText, type BotLang, type ParsedCommand } from "../../kit/src/commands.ts";
import { buildTaskRoot } from "../../protocol/src/task-root.ts";
import { buildTaskUpdate } from "../../protocol/src/task-update.ts";
import type { Task } from "../../protocol/src/task-fold.ts";
import { TASKS_COMMANDS, type TasksCommand } from "./command-specs.ts";
import type { RoomTasks } from "./room-tasks.ts";
import { parseTaskCommand } from "./task-command.ts";
import { dueText, listText, openTasks } from "./task-text.ts";

/** What the command handlers need from the bot around them. */
export interface CommandDeps {
  ctx: BotContext;
  now: () => number;
  /** The room's list, set up first if it has none. */
  ensureList(roomId: string): Promise<RoomTasks>;
  /** Sends an event and records it in the room's list (as the room will have it). */
  sendAndKeep(room: RoomTasks, type: string, content: Record<string, unknown>): Promise<string>;
}

const DEFAULT_REMINDERS = [{ before: "P1D" }];

export async function runCommand(cmd: ParsedCommand<TasksCommand>, e: BotEvent, d: CommandDeps): Promise<void> {
  const to = { eventId: e.eventId, threadRoot: e.threadRoot };
  const reply = (body: string, mentions: readonly string[] = []): Promise<string> => d.ctx.reply(e.roomId, to, body, mentions);
  if (cmd.kind === "unknown") {
    await reply(unknownCommandText(cmd.word));
    return;
  }
  const lang = cmd.lang;
  switch (cmd.name) {
    case "help":
      await reply(helpText(TASKS_COMMANDS, lang));
      return;
    case "setup": {
      const room = await d.ensureList(e.roomId);
      const anchor = room.config?.anchor ?? "?";
      await reply(say(lang, `La liste de tâches de ce salon est prête (ancre ${anchor}).`, `The room's task list is ready (anchor ${anchor}).`));
      return;
    }
    case "list": {
      const room = await d.ensureList(e.roomId);
      await reply(listText(room.fold().tasks.values(), lang));
      return;
    }
    case "task":
      await createTask(cmd.args, e, d, reply, lang);
      return;
    case "done":
      await markDone(cmd.args, e, d, reply, lang);
      return;
  }
}

async function createTask(args: string, e: BotEvent, d: CommandDeps, reply: (b: string, m?: readonly string[]) => Promise<string>, lang: BotLang): Promise<void> {
  const mentionsField = e.content["m.mentions"];
  const mentioned = typeof mentionsField === "object" && mentionsField !== null ? (mentionsField as Record<string, unknown>)["user_ids"] : undefined;
  const mentions = Array.isArray(mentioned) ? mentioned.filter((m): m is string => typeof m === "string") : [];
  const timeZone = await d.ctx.timeZoneOf(e.sender);
  const parsed = parseTaskCommand(args, { timeZone, now: d.now(), mentions, botUserId: d.ctx.botUserId, lang });
  if (!parsed.ok) {
    await reply(parsed.error);
    return;
  }
  const room = await d.ensureList(e.roomId);
  const anchor = room.config?.anchor;
  if (anchor === undefined) {
    await reply(say(lang, "La configuration des tâches de ce salon est illisible ; un administrateur peut la refaire avec !installer.", "The room's task configuration is unreadable; an administrator can set it up again with !setup."));
    return;
  }
  const p = room.config?.permissions;
  const level = room.levelOf(e.sender);
  if (p && level < p.create) {
    await reply(say(lang, `Vous n'avez pas le niveau requis pour créer une tâche (${level} < ${p.create}).`, `Your power level does not allow creating tasks here (${level} < ${p.create}).`));
    return;
  }
  const { title, assignees, due } = parsed.value;
  if (p && level < p.assign && assignees.some((a) => a !== e.sender)) {
    await reply(say(lang, `Vous n'avez pas le niveau requis pour assigner une tâche à quelqu'un d'autre (${level} < ${p.assign}).`, `Your power level does not allow assigning a task to someone else (${level} < ${p.assign}).`));
    return;
  }
  const root = await d.sendAndKeep(room, "m.room.message", buildTaskRoot({
    anchor, title, assignees, ...(due ? { due, reminders: DEFAULT_REMINDERS } : {}),
    description: `Créée par ${e.sender}`,
  }));
  const en = lang === "en";
  const parts = [en ? `✅ Task created: “${title}”` : `✅ Tâche créée : « ${title} »`];
  if (assignees.length > 0) parts.push(`${en ? "assigned to" : "assignée à"} ${assignees.join(", ")}`);
  if (due) parts.push(en ? `due ${dueText(due)}, reminder the day before` : `échéance ${dueText(due)}, rappel la veille`);
  await reply(`${parts.join(" — ")}. (${root})`, assignees);
}

function target(args: string, e: BotEvent, room: RoomTasks, lang: BotLang): Task | string {
  const tasks = room.fold().tasks;
  if (args === "" && e.threadRoot !== undefined) {
    const t = tasks.get(e.threadRoot);
    return t ?? say(lang, "Ce fil n'est pas celui d'une tâche.", "This thread is not a task's.");
  }
  const n = Number(args);
  const open = openTasks(tasks.values());
  if (!Number.isInteger(n) || n < 1) return say(lang, "Indiquez le numéro de la tâche (voir !tâches), ou tapez !fait dans son fil.", "Give the task's number (see !tasks), or type !done in its thread.");
  return open[n - 1] ?? say(lang, `Il n'y a pas de tâche ouverte n° ${n} (il y en a ${open.length}).`, `There is no open task number ${n} (there are ${open.length}).`);
}

async function markDone(args: string, e: BotEvent, d: CommandDeps, reply: (b: string, m?: readonly string[]) => Promise<string>, lang: BotLang): Promise<void> {
  const room = await d.ensureList(e.roomId);
  const t = target(args.trim(), e, room, lang);
  if (typeof t === "string") {
    await reply(t);
    return;
  }
  const p = room.config?.permissions;
  const level = room.levelOf(e.sender);
  if (p && level < p.edit && !t.assignees.includes(e.sender)) {
    await reply(say(lang, `Vous n'avez pas le niveau requis pour modifier cette tâche (${level} < ${p.edit}).`, `Your power level does not allow changing this task (${level} < ${p.edit}).`));
    return;
  }
  if (t.status === "done") {
    await reply(say(lang, `« ${t.title} » est déjà faite.`, `“${t.title}” is already done.`));
    return;
  }
  await d.sendAndKeep(room, "fr.entente.task.update", buildTaskUpdate({ root: t.id, clock: room.nextClock(), set: { status: "done" } }));
  await reply(say(lang, `✔️ « ${t.title} » est faite.`, `✔️ “${t.title}” is done.`), t.assignees);
}

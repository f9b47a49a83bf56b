// What "!tâche Préparer le budget @bob:agglo-b pour le 15/01 à 18h" means, pure: the title, the
// assignees (user ids written in the text, plus the message's m.mentions) and the due date, read
// in the sender's time zone. Dates are French-style day/month[/year]; a missing year is the next
// occurrence of that day. Errors are plain words, in the command's language (both without one).
import type { TaskDate } from "../../protocol/src/dates.ts";
import { say, type BotLang } from "../../kit/src/commands.ts";
import { icalDate, icalDateTime, wallTimeAt, type WallTime } from "./local-time.ts";

export interface TaskCommand {
  title: string;
  assignees: string[];
  due?: TaskDate;
}

export type TaskCommandResult = { ok: true; value: TaskCommand } | { ok: false; error: string };

const USER_ID = /(?<=^|\s)@[a-z0-9._=\-/+]+:[A-Za-z0-9.-]+(?::\d{1,5})?(?=$|[\s,;.!?])/g;
// "pour le 15/01", "avant le 15/01/2027 à 18h30", "le 15/01", "by 15/01 at 18:00", "due 15/01"
const DUE = /(?:^|\s)(?:(?:pour|avant|d'ici)\s+le|le|pour|by|due|on|before)\s+(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?(?:\s+(?:à|a|at)\s+(\d{1,2})(?:[h:](\d{2})?)?)?(?=$|[\s,;.!?])/giu;
const MAX_TITLE = 500;

function dueDate(m: RegExpExecArray, tz: string, now: number, fail: (fr: string, en: string) => TaskCommandResult): { due: TaskDate } | { error: TaskCommandResult } {
  const day = Number(m[1]);
  const month = Number(m[2]);
  const today = wallTimeAt(now, tz);
  let year = m[3] === undefined ? today.year : Number(m[3]) + (m[3].length === 2 ? 2000 : 0);
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 ? 29 : daysIn)) {
    return { error: fail(`La date ${m[1]}/${m[2]} n'existe pas.`, `${m[1]}/${m[2]} is not a date.`) };
  }
  // Without a year: this year's day unless it is already past, then next year's.
  if (m[3] === undefined && (month < today.month || (month === today.month && day < today.day))) year += 1;
  if (month === 2 && day === 29 && new Date(Date.UTC(year, 2, 0)).getUTCDate() !== 29) {
    return { error: fail(`Le 29/02/${year} n'existe pas.`, `29/02/${year} is not a date.`) };
  }
  const wall: WallTime = { year, month, day, hour: 0, minute: 0, second: 0 };
  if (m[4] === undefined) return { due: { date: icalDate(wall) } };
  const hour = Number(m[4]);
  const minute = Number(m[5] ?? 0);
  if (hour > 23 || minute > 59) return { error: fail(`L'heure ${m[4]}h${m[5] ?? ""} n'existe pas.`, `${m[4]}:${m[5] ?? "00"} is not a time.`) };
  return { due: { tzid: tz, value: icalDateTime({ ...wall, hour, minute }) } };
}

export function parseTaskCommand(args: string, opts: { timeZone: string; now: number; mentions?: readonly string[]; botUserId?: string; lang?: BotLang }): TaskCommandResult {
  const fail = (fr: string, en: string): TaskCommandResult => ({ ok: false, error: say(opts.lang, fr, en) });
  let text = ` ${args.replace(/\s+/g, " ").trim()} `;
  const assignees = new Set<string>();
  for (const id of text.match(USER_ID) ?? []) assignees.add(id);
  for (const id of opts.mentions ?? []) assignees.add(id);
  if (opts.botUserId !== undefined) assignees.delete(opts.botUserId);
  text = text.replace(USER_ID, " ");
  let due: TaskDate | undefined;
  const matches = [...text.matchAll(DUE)];
  const last = matches.at(-1);
  if (last) {
    const d = dueDate(last, opts.timeZone, opts.now, fail);
    if ("error" in d) return d.error;
    due = d.due;
    text = text.slice(0, last.index) + " " + text.slice(last.index + last[0].length);
  }
  const title = text.replace(/\s+/g, " ").replace(/\s+(?:pour|à|for|to)\s*$/iu, "").trim();
  if (title === "") return fail("Il manque le titre de la tâche : !tâche <titre> [@personne] [pour le JJ/MM]", "The task needs a title: !task <title> [@person] [by DD/MM]");
  if (title.length > MAX_TITLE) return fail(`Le titre dépasse ${MAX_TITLE} caractères.`, `The title is longer than ${MAX_TITLE} characters.`);
  return { ok: true, value: { title, assignees: [...assignees], ...(due ? { due } : {}) } };
}

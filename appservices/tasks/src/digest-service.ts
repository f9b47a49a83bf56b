// The daily digest by DM and "my tasks" across rooms (I/O around digest.ts):
// - `!résumé activer` / `!digest on` (off by default) opens an encrypted direct-message room with
//   the agent if there is none, and records the choice in the bot's account data
//   (digest-store.ts); `!résumé désactiver` / `!digest off` stops it; `!résumé` tells the state.
// - Each check (the reminder timer's tick, on the injected clock) sends, to every agent who opted
//   in, once per local day from 08:00 in the agent's m.tz, their overdue and today's tasks across
//   the rooms they are a member of. Each digest carries {date}; at start the bot reads the DM
//   rooms' recent messages for its own records, so a restart neither repeats nor skips a day.
// - `!mes-tâches` / `!my-tasks` answers in the command's thread. In a room shared with others it
//   lists that room's tasks only, and counts the rest (another room's titles are not for this
//   room's members); in a private conversation with the bot it lists every room's.
import { foldWord, say, type BotLang } from "../../kit/src/commands.ts";
import type { BotContext, BotEvent } from "../../kit/src/start-bot.ts";
import { agentTasks, DIGEST_KEY, digestDay, digestText, myTasksText, parseDigestRecord, type RoomTaskSet } from "./digest.ts";
import { loadDigestSettings, saveDigestSettings, type DigestAgent } from "./digest-store.ts";
import type { RoomTasks } from "./room-tasks.ts";

const enc = encodeURIComponent;
const ON = new Set(["activer", "on", "oui", "yes"]);
const OFF = new Set(["desactiver", "off", "non", "no"]);
/** How far back the DM is read for the last digest (a digest a day: a month and more). */
const HISTORY = 50;
const ZONE_TTL_MS = 10 * 60_000;

export interface DigestDeps {
  ctx: () => BotContext;
  rooms: ReadonlyMap<string, RoomTasks>;
  now: () => number;
}

export class DigestService {
  private readonly d: DigestDeps;
  private agents = new Map<string, DigestAgent>();
  /** Last local day (YYYYMMDD) a digest was sent for, per agent: read from the DM, then kept. */
  private readonly lastDay = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private saving: Promise<void> = Promise.resolve();
  /** m.tz per agent, read again after ZONE_TTL_MS of real time (a check runs every 30 s). */
  private readonly zones = new Map<string, { tz: string; at: number }>();

  constructor(d: DigestDeps) {
    this.d = d;
  }

  /** At start: the opt-ins from account data, and from each DM the last day already sent. */
  async load(): Promise<void> {
    const ctx = this.d.ctx();
    this.agents = await loadDigestSettings(ctx);
    for (const [agent, a] of this.agents) {
      if (a.dm === undefined) continue;
      const day = await this.lastSentIn(a.dm).catch((err: unknown) => {
        ctx.log("warn", "digest history unreadable", { agent, room_id: a.dm, error: String(err) });
        return undefined;
      });
      if (day !== undefined) this.lastDay.set(agent, day);
    }
    ctx.log("info", "digests loaded", { agents: this.agents.size, enabled: [...this.agents.values()].filter((a) => a.enabled).length });
  }

  private async lastSentIn(dm: string): Promise<string | undefined> {
    const ctx = this.d.ctx();
    const page = await ctx.api("GET", `/_matrix/client/v3/rooms/${enc(dm)}/messages?dir=b&limit=${HISTORY}`);
    const chunk = Array.isArray(page["chunk"]) ? page["chunk"] : [];
    let last: string | undefined;
    for (const raw of chunk) {
      if (typeof raw !== "object" || raw === null || (raw as Record<string, unknown>)["sender"] !== ctx.botUserId) continue;
      // Only the bot's own records count (anyone else's could silence a digest).
      const clear = await ctx.client.decrypt(raw as Record<string, unknown>, 1500);
      const day = clear ? parseDigestRecord(clear.content) : undefined;
      if (day !== undefined && (last === undefined || day > last)) last = day;
    }
    return last;
  }

  /** A room's display name for the agents' lists (cached; an m.room.name event refreshes it). */
  async roomName(roomId: string): Promise<string> {
    const cached = this.names.get(roomId);
    if (cached !== undefined) return cached;
    const ctx = this.d.ctx();
    const name = await ctx.api("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name/`).then((c) => (typeof c["name"] === "string" && c["name"] !== "" ? c["name"] : undefined), () => undefined);
    this.names.set(roomId, name ?? roomId);
    return name ?? roomId;
  }

  onRoomName(roomId: string): void {
    this.names.delete(roomId);
  }

  private async isJoined(roomId: string, userId: string): Promise<boolean> {
    const ctx = this.d.ctx();
    return ctx.api("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.member/${enc(userId)}`).then((c) => c["membership"] === "join", () => false);
  }

  /** The task lists the agent is a member of, folded. */
  private async listsOf(agent: string, only?: string): Promise<RoomTaskSet[]> {
    const out: RoomTaskSet[] = [];
    for (const room of this.d.rooms.values()) {
      if (room.config === undefined || (only !== undefined && room.roomId !== only)) continue;
      if (!(await this.isJoined(room.roomId, agent))) continue;
      out.push({ roomId: room.roomId, roomName: await this.roomName(room.roomId), tasks: [...room.fold().tasks.values()] });
    }
    return out;
  }

  /** One pass: the digests due now; resolves how many were sent. */
  async check(): Promise<number> {
    const ctx = this.d.ctx();
    let sent = 0;
    for (const [agent, a] of this.agents) {
      if (!a.enabled || a.dm === undefined) continue;
      const tz = await this.zoneOf(agent);
      const now = this.d.now();
      const day = digestDay(now, tz);
      const before = this.lastDay.get(agent);
      if (day === undefined || (before !== undefined && before >= day)) continue;
      this.lastDay.set(agent, day); // marked before sending: a concurrent pass does not send it twice
      try {
        const tasks = agentTasks(await this.listsOf(agent), agent, now, tz);
        await ctx.send(a.dm, "m.room.message", { msgtype: "m.text", body: digestText(tasks, day), [DIGEST_KEY]: { date: day }, "m.mentions": { user_ids: [agent] } });
        sent++;
        ctx.log("info", "digest sent", { agent, day, time_zone: tz, tasks: tasks.length });
      } catch (err: unknown) {
        if (before === undefined) this.lastDay.delete(agent);
        else this.lastDay.set(agent, before);
        ctx.log("error", "digest failed", { agent, day, error: String(err) });
      }
    }
    return sent;
  }

  private async zoneOf(agent: string): Promise<string> {
    const cached = this.zones.get(agent);
    if (cached !== undefined && Date.now() - cached.at < ZONE_TTL_MS) return cached.tz;
    const tz = await this.d.ctx().timeZoneOf(agent);
    this.zones.set(agent, { tz, at: Date.now() });
    return tz;
  }

  private save(): Promise<void> {
    const ctx = this.d.ctx();
    this.saving = this.saving.catch(() => undefined).then(() => saveDigestSettings(ctx, this.agents));
    return this.saving;
  }

  /** The agent's DM room: the recorded one if the bot and the agent are still in it, else a new one. */
  private async dmWith(agent: string): Promise<string> {
    const ctx = this.d.ctx();
    const known = this.agents.get(agent)?.dm;
    if (known !== undefined && (await this.isJoined(known, ctx.botUserId))) {
      const m = await ctx.api("GET", `/_matrix/client/v3/rooms/${enc(known)}/state/m.room.member/${enc(agent)}`).then((c) => c["membership"], () => undefined);
      if (m === "join" || m === "invite") return known;
    }
    const created = await ctx.api("POST", "/_matrix/client/v3/createRoom", {
      preset: "trusted_private_chat", is_direct: true, invite: [agent],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    const roomId = created["room_id"];
    if (typeof roomId !== "string") throw new Error("createRoom returned no room_id");
    ctx.log("info", "digest room created", { agent, room_id: roomId });
    return roomId;
  }

  /** `!résumé …` / `!digest …` and `!mes-tâches` / `!my-tasks`, answered in the command's language. */
  async command(name: "digest" | "mine", args: string, e: BotEvent, lang?: BotLang): Promise<void> {
    const ctx = this.d.ctx();
    const reply = (body: string): Promise<string> => ctx.reply(e.roomId, { eventId: e.eventId, threadRoot: e.threadRoot }, body, [e.sender]);
    if (name === "mine") {
      await reply(await this.myTasks(e, lang));
      return;
    }
    const word = foldWord(args.trim());
    this.zones.delete(e.sender); // a command is a good moment to notice a changed m.tz
    const tz = await this.zoneOf(e.sender);
    const current = this.agents.get(e.sender);
    if (ON.has(word)) {
      const dm = await this.dmWith(e.sender);
      this.agents.set(e.sender, { enabled: true, dm });
      await this.save();
      await reply(say(lang, `Résumé quotidien activé : chaque jour à 08:00 (${tz}) dans notre conversation privée, vos tâches en retard et du jour.`,
        `Daily digest on: every day at 08:00 (${tz}) in our private conversation, your overdue tasks and today's.`));
    } else if (OFF.has(word)) {
      this.agents.set(e.sender, { enabled: false, ...(current?.dm !== undefined ? { dm: current.dm } : {}) });
      await this.save();
      await reply(say(lang, "Résumé quotidien désactivé.", "Daily digest off."));
    } else if (word === "") {
      await reply(current?.enabled === true
        ? say(lang, `Votre résumé quotidien est activé (08:00, ${tz}) ; !résumé désactiver pour l'arrêter.`, `Your daily digest is on (08:00, ${tz}); !digest off stops it.`)
        : say(lang, "Votre résumé quotidien est désactivé ; !résumé activer pour le recevoir chaque matin.", "Your daily digest is off; !digest on to get it every morning."));
    } else {
      await reply(say(lang, "Tapez !résumé activer ou !résumé désactiver.", "Type !digest on or !digest off."));
    }
  }

  private async myTasks(e: BotEvent, lang?: BotLang): Promise<string> {
    const ctx = this.d.ctx();
    const tz = await ctx.timeZoneOf(e.sender);
    const now = this.d.now();
    const members = await ctx.api("GET", `/_matrix/client/v3/rooms/${enc(e.roomId)}/joined_members`).then((r) => Object.keys((r["joined"] ?? {}) as Record<string, unknown>), () => [] as string[]);
    const privateRoom = members.length > 0 && members.every((m) => m === ctx.botUserId || m === e.sender);
    const all = agentTasks(await this.listsOf(e.sender), e.sender, now, tz);
    if (privateRoom) return myTasksText(all, 0, lang);
    const here = agentTasks(await this.listsOf(e.sender, e.roomId), e.sender, now, tz);
    return myTasksText(here, all.length - here.length, lang);
  }
}

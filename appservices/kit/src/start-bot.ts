// A complete Entente bot: the appservice (start-bridge.ts: ordered, durable event delivery and
// auto-join on invite) plus the bot user's own encrypted device (bot-client.ts). Handlers see
// every room event already decrypted, and answer through `BotContext`, which encrypts when the
// room is encrypted and threads answers under the command.
import type { WeakEvent } from "matrix-appservice-bridge";
import { BotClient } from "./bot-client.ts";
import { loadRegistration } from "./load-registration.ts";
import { startBridge, type BridgeLogLevel, type RunningBridge } from "./start-bridge.ts";
import { threadReply, threadRootOf, type ThreadTarget } from "./thread-reply.ts";
import { mayNameUsers, nameUsers } from "./mention-pills.ts";
import { roomMembers } from "./room-members.ts";
import { userTimeZone } from "./time-zone.ts";

/** A room event as the bot's handlers see it: content in clear, whatever the room's encryption. */
export interface BotEvent {
  roomId: string;
  eventId: string;
  sender: string;
  type: string;
  stateKey?: string | undefined;
  content: Record<string, unknown>;
  originServerTs: number;
  encrypted: boolean;
  /** The thread the event is in, if any. */
  threadRoot?: string | undefined;
  redacts?: string | undefined;
}

export interface BotContext {
  botUserId: string;
  client: BotClient;
  /** Sends an event (encrypted in an encrypted room); returns its id. */
  send(roomId: string, type: string, content: Record<string, unknown>): Promise<string>;
  /** A notice in the thread of `to`, mentioning `mentions`. */
  reply(roomId: string, to: ThreadTarget, body: string, mentions?: readonly string[], extra?: Record<string, unknown>): Promise<string>;
  /**
   * A client-server API call as the bot user (as_token, ?user_id=), e.g. state events, which are
   * never encrypted. Path from /_matrix/...; resolves the JSON body, rejects on a non-2xx answer.
   */
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** The same, for answers that are not objects (GET /rooms/{roomId}/state is an array). */
  apiJson(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The user's m.tz, Europe/Paris by default. */
  timeZoneOf(userId: string): Promise<string>;
  log(level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>): void;
}

export interface BotHandlers {
  /** The bot was invited to (and has joined) a room. */
  onJoined?(roomId: string, inviter: string, ctx: BotContext): Promise<void>;
  /** Any other room event, decrypted. Undecryptable events are logged and not passed on. */
  onEvent?(event: BotEvent, ctx: BotContext): Promise<void>;
  /** After both the device and the appservice listener run (reconcile state, arm timers). */
  onStarted?(ctx: BotContext): Promise<void>;
}

export interface StartBotOptions {
  registrationPath: string;
  homeserverUrl: string;
  domain: string;
  /** Where the bot keeps its device's crypto store snapshot. */
  storeDir: string;
  handlers: BotHandlers;
  port?: number | undefined;
  host?: string | undefined;
  logLevel?: BridgeLogLevel | undefined;
  /** Structured log sink (default: one JSON line on stderr). */
  log?: ((line: Record<string, unknown>) => void) | undefined;
  keyWaitMs?: number | undefined;
  /**
   * The name agents see for the bot (invitations, senders, read receipts, thread summaries)
   * instead of its Matrix id's localpart; set at start when the profile has another one.
   */
  displayName?: string | undefined;
}

export interface RunningBot {
  botUserId: string;
  ctx: BotContext;
  bridge: RunningBridge;
  stop(): Promise<void>;
}

const jsonLine = (line: Record<string, unknown>): void => { process.stderr.write(`${JSON.stringify(line)}\n`); };

export async function startBot(o: StartBotOptions): Promise<RunningBot> {
  const registration = loadRegistration(o.registrationPath);
  const botUserId = `@${registration.getSenderLocalpart() ?? ""}:${o.domain}`;
  const asToken = registration.getAppServiceToken() ?? "";
  const sink = o.log ?? jsonLine;
  const client = await BotClient.start({ homeserverUrl: o.homeserverUrl, asToken, userId: botUserId, storeDir: o.storeDir, keyWaitMs: o.keyWaitMs });
  const ctx: BotContext = {
    botUserId, client,
    // The bots' own notices name people too (e.g. the calendar's « ⚠️ <admins> : agenda… »).
    send: async (roomId, type, content) => client.send(roomId, type, type === "m.room.message" && content["msgtype"] === "m.notice" ? await named(roomId, content) : content),
    reply: async (roomId, to, body, mentions = [], extra = {}) => client.send(roomId, "m.room.message", await named(roomId, threadReply(to, body, mentions, extra))),
    apiJson: (method, path, body) => asApi(o.homeserverUrl, asToken, botUserId, method, path, body),
    api: async (method, path, body) => {
      const json = await asApi(o.homeserverUrl, asToken, botUserId, method, path, body);
      return typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    },
    timeZoneOf: (userId) => userTimeZone(async (u) => {
      const res = await fetch(`${o.homeserverUrl}/_matrix/client/v3/profile/${encodeURIComponent(u)}/m.tz`, { headers: { Authorization: `Bearer ${asToken}` } });
      return res.status === 200 ? res.json() : undefined;
    }, userId),
    log: (level, msg, data = {}) => sink({ level, bot: botUserId, msg, ...data }),
  };
  /** A text message whose body names members by id, with their names instead (mention-pills.ts). */
  async function named(roomId: string, content: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = content["body"];
    if (typeof body !== "string" || content["format"] !== undefined || !mayNameUsers(body)) return content;
    const t = nameUsers(body, await memberNames(ctx, roomId));
    return t.html === undefined ? content : { ...content, body: t.body, format: "org.matrix.custom.html", formatted_body: t.html };
  }
  if (o.displayName !== undefined) await ensureDisplayName(ctx, o.displayName);
  const bridge = await startBridge({
    registrationPath: o.registrationPath, homeserverUrl: o.homeserverUrl, domain: o.domain, port: o.port, host: o.host,
    logLevel: o.logLevel ?? "off",
    onEvent: (event) => dispatch(event, ctx, o.handlers),
  });
  await o.handlers.onStarted?.(ctx);
  return {
    botUserId, ctx, bridge,
    async stop() {
      await bridge.close();
      await client.stop();
    },
  };
}

/**
 * The display names of the room's joined and invited members (the spec's disambiguation counts
 * both); none when they cannot be read: the answer keeps the ids.
 */
async function memberNames(ctx: BotContext, roomId: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    for (const [userId, m] of await roomMembers(ctx, roomId)) {
      if ((m.membership === "join" || m.membership === "invite") && m.displayName !== undefined) names.set(userId, m.displayName);
    }
  } catch (e: unknown) {
    ctx.log("warn", "member names not read", { room_id: roomId, error: e instanceof Error ? e.message : String(e) });
  }
  return names;
}

/** Sets the bot's display name when its profile has another one (a change rewrites its member event in every room). */
async function ensureDisplayName(ctx: BotContext, name: string): Promise<void> {
  const path = `/_matrix/client/v3/profile/${encodeURIComponent(ctx.botUserId)}/displayname`;
  try {
    const current = await ctx.api("GET", path).catch((): Record<string, unknown> => ({}));
    if (current["displayname"] !== name) await ctx.api("PUT", path, { displayname: name });
  } catch (e: unknown) {
    ctx.log("warn", "display name not set", { error: e instanceof Error ? e.message : String(e) });
  }
}

export class BotApiError extends Error {
  readonly status: number;
  readonly errcode: string;
  constructor(status: number, errcode: string, message: string) {
    super(message);
    this.status = status;
    this.errcode = errcode;
  }
}

async function asApi(base: string, asToken: string, userId: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(base + path);
  url.searchParams.set("user_id", userId);
  const res = await fetch(url, {
    method, headers: { Authorization: `Bearer ${asToken}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json: unknown = text === "" ? {} : JSON.parse(text);
  if (!res.ok) {
    const errcode = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["errcode"] : undefined;
    throw new BotApiError(res.status, typeof errcode === "string" ? errcode : "M_UNKNOWN", `${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  }
  return json;
}

async function dispatch(raw: WeakEvent, ctx: BotContext, h: BotHandlers): Promise<void> {
  if (raw.sender === ctx.botUserId && raw.type !== "m.room.member") return;
  if (raw.type === "m.room.member" && raw.state_key === ctx.botUserId) {
    if (raw.content["membership"] === "invite") await h.onJoined?.(raw.room_id, raw.sender, ctx);
    return;
  }
  const clear = await ctx.client.decrypt(raw as unknown as Record<string, unknown>);
  if (!clear) {
    ctx.log("warn", "undecryptable event skipped", { room_id: raw.room_id, event_id: raw.event_id, sender: raw.sender });
    return;
  }
  const redacts = (raw as { redacts?: unknown }).redacts;
  await h.onEvent?.({
    roomId: raw.room_id, eventId: raw.event_id, sender: raw.sender, type: clear.type, stateKey: raw.state_key,
    content: clear.content, originServerTs: raw.origin_server_ts, encrypted: clear.encrypted,
    threadRoot: threadRootOf(clear.content), redacts: typeof redacts === "string" ? redacts : undefined,
  }, ctx);
}

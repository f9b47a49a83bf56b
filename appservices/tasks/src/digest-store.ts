// Who asked for the daily digest, kept in the bot user's account data (never in memory only):
// `fr.entente.tasks.digest` = {version: 1, agents: {"@alice:ville-a": {enabled: true, dm: "!room"}}}.
// Account data survives restarts on the homeserver and is readable by nobody but the bot.
// https://spec.matrix.org/v1.16/client-server-api/#client-config
import type { BotContext } from "../../kit/src/start-bot.ts";
import { BotApiError } from "../../kit/src/start-bot.ts";

export const DIGEST_SETTINGS = "fr.entente.tasks.digest";

export interface DigestAgent {
  enabled: boolean;
  /** The direct-message room the bot opened with the agent. */
  dm?: string | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Tolerant: a broken entry is dropped (the agent can opt in again), the rest is kept. */
export function parseDigestSettings(content: unknown): Map<string, DigestAgent> {
  const out = new Map<string, DigestAgent>();
  const agents = isRecord(content) && isRecord(content["agents"]) ? content["agents"] : {};
  for (const [userId, v] of Object.entries(agents)) {
    if (!/^@[^:]+:.+$/.test(userId) || !isRecord(v) || typeof v["enabled"] !== "boolean") continue;
    out.set(userId, { enabled: v["enabled"], ...(typeof v["dm"] === "string" && v["dm"].startsWith("!") ? { dm: v["dm"] } : {}) });
  }
  return out;
}

export function buildDigestSettings(agents: ReadonlyMap<string, DigestAgent>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [userId, a] of [...agents].sort(([x], [y]) => (x < y ? -1 : 1))) out[userId] = a.dm === undefined ? { enabled: a.enabled } : { enabled: a.enabled, dm: a.dm };
  return { version: 1, agents: out };
}

const path = (ctx: BotContext): string => `/_matrix/client/v3/user/${encodeURIComponent(ctx.botUserId)}/account_data/${DIGEST_SETTINGS}`;

export async function loadDigestSettings(ctx: BotContext): Promise<Map<string, DigestAgent>> {
  try {
    return parseDigestSettings(await ctx.api("GET", path(ctx)));
  } catch (err: unknown) {
    if (err instanceof BotApiError && err.errcode === "M_NOT_FOUND") return new Map();
    throw err;
  }
}

export async function saveDigestSettings(ctx: BotContext, agents: ReadonlyMap<string, DigestAgent>): Promise<void> {
  await ctx.api("PUT", path(ctx), buildDigestSettings(agents));
}

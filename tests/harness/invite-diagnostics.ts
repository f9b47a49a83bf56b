// When an invited agent's page never shows an invitation (a space, a dossier): what his client was
// told and what his server says now, so a CI failure says why. Records every /sync answer the page
// received (rooms joined with the state they carried, invites, leaves), then on failure writes
// tests/artifacts/<name>.json with: the page's accessible tree, those answers, and the server's
// own view now (/joined_rooms, a fresh /sync, each joined space's m.space.child). The error gets a
// one-line summary of where the two disagree.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ARTIFACTS } from "./browser.ts";

interface RoomSection { timeline?: { events?: RawEvent[]; limited?: boolean }; state?: { events?: RawEvent[] }; invite_state?: { events?: RawEvent[] } }
interface RawEvent { type?: string; state_key?: string; content?: Record<string, unknown> }
interface SyncBody { next_batch?: string; rooms?: { join?: Record<string, RoomSection>; invite?: Record<string, RoomSection>; leave?: Record<string, RoomSection> } }

/** One /sync answer, the rooms it carried: events as "type|state_key" (with a member's membership, a name, a create's type). */
export interface SyncSummary {
  at: string;
  since: string | null;
  nextBatch: string | undefined;
  join: Record<string, { limited: boolean; state: string[]; timeline: string[] }>;
  invite: Record<string, string[]>;
  leave: string[];
}

const key = (e: RawEvent): string => {
  const shown = e.type === "m.room.member" ? e.content?.["membership"] : e.type === "m.room.name" ? e.content?.["name"] : e.type === "m.room.create" ? e.content?.["type"] : undefined;
  return e.state_key === undefined ? String(e.type) : `${String(e.type)}|${e.state_key}${shown !== undefined ? `=${String(shown)}` : ""}`;
};

export function summarizeSync(body: SyncBody, since: string | null): SyncSummary {
  const join: SyncSummary["join"] = {};
  for (const [id, r] of Object.entries(body.rooms?.join ?? {})) {
    join[id] = { limited: r.timeline?.limited === true, state: (r.state?.events ?? []).map(key), timeline: (r.timeline?.events ?? []).map(key) };
  }
  const invite: SyncSummary["invite"] = {};
  for (const [id, r] of Object.entries(body.rooms?.invite ?? {})) invite[id] = (r.invite_state?.events ?? []).map(key);
  return { at: new Date().toISOString(), since, nextBatch: body.next_batch, join, invite, leave: Object.keys(body.rooms?.leave ?? {}) };
}

/** Keeps a summary of every /sync answer `page` receives from now on (the non-empty ones). */
export function recordSyncs(page: Page): SyncSummary[] {
  const log: SyncSummary[] = [];
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (!url.pathname.endsWith("/_matrix/client/v3/sync") || !res.ok()) return;
    void res.json().then((body: SyncBody) => {
      const s = summarizeSync(body, url.searchParams.get("since"));
      if (Object.keys(s.join).length + Object.keys(s.invite).length + s.leave.length > 0) log.push(s);
    }, () => undefined);
  });
  return log;
}

async function api(base: string, token: string, path: string): Promise<unknown> {
  const res = await fetch(`${base}/_matrix/client/v3${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return res.ok ? res.json() : { error: res.status, body: await res.text() };
}

export interface InviteCheck {
  page: Page;
  /** The agent's homeserver (client-server URL) and access token. */
  base: string;
  accessToken: string;
  /** What his page received (recordSyncs). */
  syncs: SyncSummary[];
  /** The room he should see an invitation to (its name, as the page shows it). */
  roomName: string;
  /** Artifact file name, without .json. */
  name: string;
}

/** Writes tests/artifacts/<name>.json and returns a one-line summary of what the client and the server say. */
export async function inviteDiagnostics(c: InviteCheck): Promise<string> {
  const page = await c.page.locator("body").ariaSnapshot({ timeout: 10_000 }).catch((e: unknown) => `(no snapshot: ${String(e)})`);
  const joined = ((await api(c.base, c.accessToken, "/joined_rooms")) as { joined_rooms?: string[] }).joined_rooms ?? [];
  const fresh = summarizeSync((await api(c.base, c.accessToken, "/sync?timeout=0")) as SyncBody, null);
  const spaces: Record<string, string[]> = {};
  for (const id of joined) {
    const state = await api(c.base, c.accessToken, `/rooms/${encodeURIComponent(id)}/state`);
    if (!Array.isArray(state)) continue;
    const events = state as RawEvent[];
    if (events.some((e) => e.type === "m.room.create" && e.content?.["type"] === "m.space")) {
      spaces[id] = events.filter((e) => e.type === "m.space.child" && Array.isArray(e.content?.["via"])).map((e) => e.state_key ?? "");
    }
  }
  const invitedNow = Object.keys(fresh.invite);
  const clientJoins = new Set(c.syncs.flatMap((s) => Object.keys(s.join)));
  const clientInvites = new Set(c.syncs.flatMap((s) => Object.keys(s.invite)));
  const clientChildren = new Set(c.syncs.flatMap((s) => Object.values(s.join).flatMap((r) => [...r.state, ...r.timeline]).filter((k) => k.startsWith("m.space.child|")).map((k) => k.slice("m.space.child|".length))));
  const spaceLines = Object.entries(spaces).map(([id, children]) => {
    const missing = children.filter((ch) => !clientChildren.has(ch));
    return `space ${id}: server lists ${children.length} child(ren); the page's /sync answers ${clientJoins.has(id) ? "carried its join" : "NEVER carried its join"}${missing.length > 0 ? `, never its children ${missing.join(" ")}` : ""}`;
  });
  const nameOf = (id: string): string => fresh.invite[id]?.find((k) => k.startsWith("m.room.name|="))?.slice("m.room.name|=".length) ?? "?";
  const inviteLines = invitedNow.map((id) => `invite ${id} « ${nameOf(id)} »: ${clientInvites.has(id) ? "sent to the page" : "NEVER sent to the page's /sync"}`);
  const summary = `${c.roomName}: ${[...spaceLines, ...inviteLines].join("; ") || "the server has Bob in no space and no invite"} (tests/artifacts/${c.name}.json)`;
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `${c.name}.json`), JSON.stringify({ summary, page, server: { joined, spaces, freshSync: fresh }, syncsReceived: c.syncs }, null, 2));
  return summary;
}

/** Runs `step` (a wait for the invitation); if it fails, adds inviteDiagnostics' summary to its error. */
export async function explainInvite<T>(step: Promise<T>, c: InviteCheck): Promise<T> {
  try {
    return await step;
  } catch (e) {
    const why = await inviteDiagnostics(c).catch((d: unknown) => `(diagnostics failed: ${String(d)})`);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${why}`, { cause: e });
  }
}

/** The access token of the session the page signed in with (localStorage "entente.session"). */
export async function pageAccessToken(page: Page): Promise<string> {
  return (JSON.parse((await page.evaluate(() => localStorage.getItem("entente.session"))) ?? "{}") as { accessToken?: string }).accessToken ?? "";
}

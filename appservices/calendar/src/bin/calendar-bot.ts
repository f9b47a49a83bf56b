#!/usr/bin/env node
// Runs one council's calendar bot in the foreground (`entente start` spawns one per council):
//   node appservices/calendar/src/bin/calendar-bot.ts --registration FILE --homeserver URL --domain NAME --store DIR
//     [--caldav-credentials FILE]   YAML/JSON: {"https://dav.ville-a.fr": {username, password}} (mode 0600)
//     [--feed-base-url URL]         public base of the ICS feeds (default http://127.0.0.1:<port>)
//     [--jitsi-domain NAME] [--jitsi-wrapper URL] [--auto-video]
//     [--demo-room-alias ALIAS [--demo-collection URL]]   bind the demo working group's room (no URL: Matrix-only)
// Prints "ready <bot user id>" on stdout once it listens; logs JSON lines on stderr; SIGTERM stops it.
import { readFileSync } from "node:fs";
import { parseBotArgs, runUntilSignal } from "../../../kit/src/bot-command-line.ts";
import { parse } from "yaml";
import { startCalendarBot, DEFAULT_JITSI } from "../bot/calendar-bot.ts";
import type { Credentials } from "../sync/sync-store.ts";

const USAGE = "Usage: calendar-bot --registration FILE --homeserver URL --domain NAME --store DIR [--caldav-credentials FILE] [--feed-base-url URL] " +
  "[--jitsi-domain NAME] [--jitsi-wrapper URL] [--auto-video] [--demo-room-alias ALIAS [--demo-collection URL]]";

/** The credentials file: origin → {username, password}; one clear line on anything else. */
export function readCredentials(path: string): Record<string, Credentials> {
  const raw = parse(readFileSync(path, "utf8")) as unknown;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${path}: expected a mapping of CalDAV origins to {username, password}`);
  const out: Record<string, Credentials> = {};
  for (const [origin, c] of Object.entries(raw as Record<string, unknown>)) {
    const { username, password } = (c ?? {}) as Record<string, unknown>;
    if (typeof username !== "string" || typeof password !== "string") throw new Error(`${path}: ${origin} needs a username and a password`);
    out[new URL(origin).origin] = { username, password };
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseBotArgs(argv, {
    "caldav-credentials": { type: "string" }, "feed-base-url": { type: "string" }, "jitsi-domain": { type: "string" }, "jitsi-wrapper": { type: "string" },
    "auto-video": { type: "boolean" }, "demo-room-alias": { type: "string" }, "demo-collection": { type: "string" },
  }, USAGE);
  if (!args.ok) return args.exitCode;
  const { registration, homeserver, domain, store } = args.place;
  const values = args.values;
  if (values["demo-collection"] !== undefined && values["demo-room-alias"] === undefined) {
    process.stderr.write(`error: --demo-collection needs --demo-room-alias\n${USAGE}\n`);
    return 2;
  }
  let credentials: Record<string, Credentials> = {};
  try {
    if (values["caldav-credentials"] !== undefined) credentials = readCredentials(values["caldav-credentials"]);
  } catch (e: unknown) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const alias = values["demo-room-alias"];
  const collection = values["demo-collection"];
  const bot = await startCalendarBot({
    registrationPath: registration, homeserverUrl: homeserver, domain, storeDir: store, credentials,
    feedBaseUrl: values["feed-base-url"],
    jitsi: { domain: values["jitsi-domain"] ?? DEFAULT_JITSI.domain, wrapperUrl: values["jitsi-wrapper"] ?? DEFAULT_JITSI.wrapperUrl, auto: values["auto-video"] === true },
    ...(alias === undefined ? {} : { demo: { alias, ...(collection === undefined ? {} : { collectionUrl: collection }) } }),
  });
  await runUntilSignal(bot);
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));

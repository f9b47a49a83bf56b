// Registration files of the council's own bots (tasks, calendar), written by `entente init` with
// fresh tokens so the bots can be plugged in later without touching secrets by hand.
// https://spec.matrix.org/v1.16/application-service-api/#registration
import { stringify } from "yaml";

export const BOTS = ["tasks", "calendar"] as const;
export type Bot = (typeof BOTS)[number];

export interface RegistrationInput {
  bot: Bot;
  serverName: string;
  /** Where the homeserver pushes transactions to the bot. */
  url: string;
  asToken: string;
  hsToken: string;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function appserviceRegistrationYaml(r: RegistrationInput): string {
  const localpart = `entente-${r.bot}`;
  const server = escapeRegex(r.serverName);
  const registration = {
    id: localpart,
    url: r.url,
    as_token: r.asToken,
    hs_token: r.hsToken,
    sender_localpart: localpart,
    // The bot owns its own user and any puppet it makes (@entente-tasks_<x>), nothing else.
    namespaces: {
      users: [{ exclusive: true, regex: `@${localpart}(_.*)?:${server}` }],
      aliases: [{ exclusive: true, regex: `#${localpart}_.*:${server}` }],
      rooms: [],
    },
    rate_limited: false,
  };
  return `# Appservice registration of the ${r.bot} bot, written by \`entente init\`. The tokens are secrets.\n${stringify(registration)}`;
}

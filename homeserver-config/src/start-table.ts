// What `entente start` prints once every council is up (French and English labels).
import { formatTable } from "./cli-kit.ts";
import type { FederationState } from "./council-health.ts";

export interface CouncilLine {
  council: string;
  serverName: string;
  clientUrl: string;
  federationUrl: string;
  federation: FederationState;
  pid: number;
  log: string;
}

export interface AccountLine {
  council: string;
  userId: string;
  /** The password, or where to find it. */
  password: string;
  admin: boolean;
  created: boolean;
}

/** The line tests and scripts wait for: everything above it is up. */
export const RUNNING_LINE = "Entente is running / Entente fonctionne. Ctrl-C to stop / pour arrêter.";

/** notes: extra lines shown before the logs (the demo's CalDAV server, start-federation.ts). */
export function formatStartTable(dir: string, councils: readonly CouncilLine[], accounts: readonly AccountLine[], notes: readonly string[] = []): string {
  const servers = formatTable(
    ["council / collectivité", "server name", "client API (Element...)", "federation", "pid"],
    councils.map((c) => [c.council, c.serverName, c.clientUrl, `${c.federationUrl} (${c.federation})`, String(c.pid)]),
  );
  const people = formatTable(
    ["council / collectivité", "account / compte", "password / mot de passe", "note"],
    accounts.map((a) => [a.council, a.userId, a.password, [a.admin ? "admin" : "", a.created ? "new / nouveau" : ""].filter(Boolean).join(", ")]),
  );
  return [
    "",
    `Councils of ${dir} / collectivités :`,
    servers,
    accounts.length > 0 ? `Accounts / comptes :\n${people}` : "No account created (no shared secret) / aucun compte créé.\n",
    "Sign in with any Matrix client (Element: \"homeserver\" = the client API URL).",
    "Se connecter avec un client Matrix (Element : « serveur d'accueil » = l'URL de l'API client).",
    ...notes,
    `Logs / journaux : ${councils.map((c) => c.log).join(", ")}`,
    RUNNING_LINE,
    "",
  ].join("\n");
}

// DIR/federation.yaml: the councils of a local federation and their ports, written by `entente init`
// and read by `entente start`. Each council's own settings live in DIR/<name>/homeserver.yaml; this
// file only says which councils exist. Every problem is reported at once, like the homeserver config.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { editDistance, errorCode } from "../../homeserver/src/config/apply-schema.ts";
import { isServerName } from "../../homeserver/src/config/schema-combinators.ts";
import { CliError } from "./cli-kit.ts";

/** The ports of one council, allocated by `entente init` from --base-port. */
export interface CouncilPorts {
  client: number;
  federation: number;
  /** Reserved for the tasks appservice (its registration's url). */
  tasks: number;
  /** Reserved for the calendar appservice. */
  calendar: number;
  /** The citizen sharing service (share.yaml); absent in files written before it existed. */
  share?: number;
}

export interface CouncilEntry {
  /** The folder name under DIR and the first label of the server name. */
  name: string;
  ports: CouncilPorts;
}

export interface FederationFile {
  /** Server names are `<council>.<domain>`. */
  domain: string;
  /** Demo accounts agent1..agentN created on every council by `entente start` (0: none). */
  demoUsers: number;
  councils: CouncilEntry[];
}

export const PORT_KEYS = ["client_port", "federation_port", "tasks_port", "calendar_port"] as const;
const COUNCIL_KEYS = ["name", ...PORT_KEYS, "share_port"] as const;
const TOP_KEYS = ["domain", "demo_users", "councils"] as const;
/** Folders of DIR that are not councils. */
const RESERVED = new Set(["ca"]);

/** Why `name` cannot be a council name, or undefined when it can. */
export function councilNameProblem(name: string): string | undefined {
  // A DNS label, so that `<name>.<domain>` is a valid server name and a valid folder name.
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    return `invalid council name ${JSON.stringify(name)}: use lowercase letters, digits and hyphens (not first or last), at most 63 characters`;
  }
  if (RESERVED.has(name)) return `council name ${JSON.stringify(name)} is reserved (DIR/${name} holds the federation CA)`;
  return undefined;
}

/** Why `domain` cannot be the domain suffix, or undefined. */
export function domainProblem(domain: string): string | undefined {
  const labels = domain.split(".");
  const ok = labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) && isServerName(`x.${domain}`);
  return ok ? undefined : `invalid domain ${JSON.stringify(domain)}: expected a lowercase DNS name such as localhost or councils.example.fr`;
}

export const serverNameOf = (f: Pick<FederationFile, "domain">, council: string): string => `${council}.${f.domain}`;

/** The first duplicate in `names`, if any. */
export function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

export function readFederationFile(path: string): FederationFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e: unknown) {
    const hint = errorCode(e) === "ENOENT" ? " (create it with `entente init DIR --council NAME ...`)" : "";
    throw new CliError(`cannot read ${path}: ${errorCode(e)}${hint}`);
  }
  return parseFederationFile(text, path);
}

export function parseFederationFile(text: string, fileName: string): FederationFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CliError(doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${fileName}: line ${line}, column ${col}: invalid YAML: ${e.message}`;
    }).join("\n"));
  }
  const errors: string[] = [];
  const report = (path: string, message: string): void => void errors.push(`${fileName}: ${path}: ${message}`);
  const parsed = checkFederation(doc.toJS() as unknown, report);
  if (errors.length > 0 || parsed === undefined) throw new CliError(errors.length > 0 ? errors.join("\n") : `${fileName}: expected a mapping`);
  return parsed;
}

type Report = (path: string, message: string) => void;

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function unknownKeys(obj: Record<string, unknown>, known: readonly string[], path: string, report: Report): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const best = [...known].sort((a, b) => editDistance(key, a) - editDistance(key, b))[0];
    const hint = best !== undefined && editDistance(key, best) <= Math.max(1, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : "";
    report(path === "" ? key : `${path}.${key}`, `unknown key${hint}`);
  }
}

function checkFederation(raw: unknown, report: Report): FederationFile | undefined {
  if (!isMapping(raw)) {
    report("(top level)", "expected a mapping with domain, demo_users and councils");
    return undefined;
  }
  unknownKeys(raw, TOP_KEYS, "", report);
  const domain = raw["domain"] ?? "localhost";
  if (typeof domain !== "string") report("domain", `expected a DNS name, got ${typeof domain}`);
  else if (domainProblem(domain) !== undefined) report("domain", domainProblem(domain) ?? "");
  const demoUsers = raw["demo_users"] ?? 0;
  if (typeof demoUsers !== "number" || !Number.isInteger(demoUsers) || demoUsers < 0 || demoUsers > 100) {
    report("demo_users", `expected an integer from 0 to 100, got ${JSON.stringify(demoUsers)}`);
  }
  const list = raw["councils"];
  if (!Array.isArray(list) || list.length === 0) {
    report("councils", "expected a non-empty list of councils (name and ports)");
    return undefined;
  }
  const councils = list.map((c: unknown, i) => checkCouncil(c, `councils[${i + 1}]`, report));
  const names = councils.flatMap((c) => (c === undefined ? [] : [c.name]));
  const dup = firstDuplicate(names);
  if (dup !== undefined) report("councils", `council ${JSON.stringify(dup)} is listed twice (council names must be unique)`);
  const ports = councils.flatMap((c) => (c === undefined ? [] : Object.values(c.ports)));
  const dupPort = firstDuplicate(ports.map(String));
  if (dupPort !== undefined) report("councils", `port ${dupPort} is given to two listeners`);
  if (typeof domain !== "string" || typeof demoUsers !== "number" || councils.some((c) => c === undefined)) return undefined;
  return { domain, demoUsers, councils: councils as CouncilEntry[] };
}

function checkCouncil(raw: unknown, path: string, report: Report): CouncilEntry | undefined {
  if (!isMapping(raw)) {
    report(path, "expected a mapping with name, client_port, federation_port, tasks_port and calendar_port");
    return undefined;
  }
  unknownKeys(raw, COUNCIL_KEYS, path, report);
  const name = raw["name"];
  let ok = true;
  if (typeof name !== "string") {
    report(`${path}.name`, name === undefined ? "missing required key" : `expected a council name, got ${JSON.stringify(name)}`);
    ok = false;
  } else if (councilNameProblem(name) !== undefined) {
    report(`${path}.name`, councilNameProblem(name) ?? "");
    ok = false;
  }
  const ports: number[] = [];
  for (const key of PORT_KEYS) {
    const v = raw[key];
    if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535) ports.push(v);
    else {
      report(`${path}.${key}`, v === undefined ? "missing required key" : `expected a port number 1-65535, got ${JSON.stringify(v)}`);
      ok = false;
    }
  }
  const share = raw["share_port"];
  if (share !== undefined && !(typeof share === "number" && Number.isInteger(share) && share >= 1 && share <= 65535)) {
    report(`${path}.share_port`, `expected a port number 1-65535, got ${JSON.stringify(share)}`);
    ok = false;
  }
  const [client = 0, federation = 0, tasks = 0, calendar = 0] = ports;
  return ok && typeof name === "string" ? { name, ports: { client, federation, tasks, calendar, ...(typeof share === "number" && { share }) } } : undefined;
}

/** The file's text; comments explain it to whoever opens it. */
export function formatFederationFile(f: FederationFile): string {
  const councils = f.councils.map((c) => [
    `  - name: ${c.name}`,
    `    client_port: ${c.ports.client}`,
    `    federation_port: ${c.ports.federation}`,
    `    tasks_port: ${c.ports.tasks}`,
    `    calendar_port: ${c.ports.calendar}`,
    ...(c.ports.share !== undefined ? [`    share_port: ${c.ports.share}`] : []),
  ].join("\n"));
  return [
    "# An Entente federation of councils, written by `entente init` and read by `entente start`.",
    "# Each council's settings are in <name>/homeserver.yaml (edit those; this file only lists councils).",
    "# Add a council with `entente init DIR --council NAME`: existing keys, certificates and data are kept.",
    `# Server names are <name>.<domain>.`,
    `domain: ${f.domain}`,
    "# Demo accounts agent1..agentN that `entente start` creates on every council (0: none).",
    `demo_users: ${f.demoUsers}`,
    "councils:",
    ...councils,
    "",
  ].join("\n");
}

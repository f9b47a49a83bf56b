// `entente init`: lays out (or completes) a federation directory. Everything missing is created;
// nothing that exists is replaced: keys, certificates, secrets and data stay, so re-running init
// only adds new councils (and the files a council lacks, e.g. a certificate deleted to renew it).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError, loadConfig } from "../../homeserver/src/config/load-config.ts";
import { encodeSigningKeyFile, generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { CliError, UsageError } from "./cli-kit.ts";
import { BOTS, appserviceRegistrationYaml } from "./appservice-registration.ts";
import { addPeersToConfig, appservicesSupported, councilConfigYaml } from "./council-config.ts";
import { appservicePath, caPaths, councilPaths, federationFilePath } from "./council-paths.ts";
import {
  councilNameProblem, domainProblem, firstDuplicate, formatFederationFile, readFederationFile, serverNameOf,
  type CouncilEntry, type FederationFile,
} from "./federation-file.ts";
import { checkOpenssl, ensureCa, ensureServerCertificate } from "./openssl-ca.ts";
import { randomSecret, writeIfMissing } from "./secret-files.ts";
import { SHARE_FILE, shareConfigYaml } from "./share-config.ts";

export const DEFAULT_BASE_PORT = 8600;
export const DEFAULT_DOMAIN = "localhost";
/** client, federation, tasks bot, calendar bot (the share services' ports come after the blocks). */
const PORTS_PER_COUNCIL = 4;

export interface InitOptions {
  dir: string;
  councils: string[];
  basePort?: number | undefined;
  domain?: string | undefined;
  demoUsers?: number | undefined;
}

export interface InitReport {
  federation: FederationFile;
  addedCouncils: string[];
  /** Files written, relative to dir. */
  created: string[];
  /** Existing configs that got the new councils. */
  updated: string[];
  appservicesReferenced: boolean;
}

export function initFederation(o: InitOptions): InitReport {
  for (const name of o.councils) {
    const problem = councilNameProblem(name);
    if (problem !== undefined) throw new UsageError(`entente init: ${problem}`);
  }
  const dup = firstDuplicate(o.councils);
  if (dup !== undefined) throw new UsageError(`entente init: council ${JSON.stringify(dup)} is given twice (council names must be unique)`);
  if (o.domain !== undefined && domainProblem(o.domain) !== undefined) throw new UsageError(`entente init: ${domainProblem(o.domain) ?? ""}`);
  checkOpenssl();
  const existing = existsSync(federationFilePath(o.dir)) ? readFederationFile(federationFilePath(o.dir)) : undefined;
  const { federation, added, sharePortsAdded } = mergeCouncils(existing, o);
  const report: InitReport = { federation, addedCouncils: added, created: [], updated: [], appservicesReferenced: appservicesSupported() };
  const note = (path: string, wrote: boolean): void => void (wrote && report.created.push(relative(o.dir, path)));
  mkdirSync(o.dir, { recursive: true });
  const text = formatFederationFile(federation);
  if (existing === undefined || added.length > 0 || sharePortsAdded || federation.demoUsers !== existing.demoUsers) {
    writeFileSync(federationFilePath(o.dir), text, { mode: 0o600 });
    if (existing === undefined) report.created.push("federation.yaml");
    else report.updated.push("federation.yaml");
  }
  const ca = caPaths(o.dir);
  note(ca.cert, ensureCa(ca, `Entente federation CA (${federation.domain})`));
  for (const council of federation.councils) ensureCouncil(o.dir, federation, council, report, note);
  checkConfigs(o.dir, federation);
  return report;
}

function mergeCouncils(existing: FederationFile | undefined, o: InitOptions): { federation: FederationFile; added: string[]; sharePortsAdded: boolean } {
  const domain = existing?.domain ?? o.domain ?? DEFAULT_DOMAIN;
  if (existing !== undefined && o.domain !== undefined && o.domain !== existing.domain) {
    throw new CliError(`${federationFilePath(o.dir)} uses domain ${existing.domain}; --domain ${o.domain} cannot change it (server names never change once users exist)`);
  }
  const councils: CouncilEntry[] = [...(existing?.councils ?? [])];
  const known = new Set(councils.map((c) => c.name));
  const used = new Set(councils.flatMap((c) => Object.values(c.ports)));
  const added: string[] = [];
  // Without --base-port, newcomers go after the existing councils' ports.
  const base = o.basePort ?? (councils.length > 0 ? Math.min(...councils.map((c) => c.ports.client)) : DEFAULT_BASE_PORT);
  for (const name of o.councils) {
    if (known.has(name)) continue;
    const first = freeSlot(base, used, name);
    const ports = { client: first, federation: first + 1, tasks: first + 2, calendar: first + 3 };
    for (const p of Object.values(ports)) used.add(p);
    councils.push({ name, ports });
    added.push(name);
  }
  if (councils.length === 0) throw new UsageError("entente init: give at least one --council NAME");
  // Each council's share service: the first free port from base, i.e. after the councils' blocks
  // (so a council's ports stay where they were); councils made before it existed get one too.
  let sharePortsAdded = false;
  for (const [i, c] of councils.entries()) {
    if (c.ports.share !== undefined) continue;
    let port = base;
    while (used.has(port) && port < 65535) port++;
    if (used.has(port)) throw new UsageError(`entente init: no free port left above ${base} for the share service of ${c.name}`);
    used.add(port);
    councils[i] = { ...c, ports: { ...c.ports, share: port } };
    sharePortsAdded = true;
  }
  const demoUsers = o.demoUsers ?? existing?.demoUsers ?? 0;
  return { federation: { domain, demoUsers, councils }, added, sharePortsAdded };
}

/** The first block of PORTS_PER_COUNCIL consecutive ports from `base` that no council uses. */
function freeSlot(base: number, used: ReadonlySet<number>, name: string): number {
  for (let first = base; first + PORTS_PER_COUNCIL - 1 <= 65535; first += PORTS_PER_COUNCIL) {
    if (Array.from({ length: PORTS_PER_COUNCIL }, (_, i) => first + i).every((p) => !used.has(p))) return first;
  }
  throw new UsageError(`entente init: no free ports left above --base-port ${base} for council ${name}`);
}

type Note = (path: string, wrote: boolean) => void;

function ensureCouncil(dir: string, f: FederationFile, c: CouncilEntry, report: InitReport, note: Note): void {
  const p = councilPaths(dir, c.name);
  const serverName = serverNameOf(f, c.name);
  mkdirSync(p.dir, { recursive: true });
  // Key ids are `ed25519:<version>`; a random version tells keys of two inits apart.
  note(p.signingKey, writeIfMissing(p.signingKey, () => encodeSigningKeyFile(generateSigningKey(`ent_${randomBytes(3).toString("hex")}`))));
  note(p.registrationSecret, writeIfMissing(p.registrationSecret, () => randomSecret(32) + "\n"));
  note(p.adminPassword, writeIfMissing(p.adminPassword, () => randomSecret(12) + "\n"));
  note(p.tlsCert, ensureServerCertificate(caPaths(dir), p.tlsCert, p.tlsKey, serverName));
  for (const bot of BOTS) {
    const path = appservicePath(p, bot);
    note(path, writeIfMissing(path, () => appserviceRegistrationYaml({
      bot, serverName, url: `http://127.0.0.1:${c.ports[bot]}`, asToken: randomSecret(32), hsToken: randomSecret(32),
    })));
  }
  const sharePath = join(p.dir, SHARE_FILE);
  note(sharePath, writeIfMissing(sharePath, () => shareConfigYaml(c.name, c.ports.share ?? 0)));
  const hadDemo = existsSync(p.demoAccounts);
  if (f.demoUsers > 0 && addDemoPasswords(p.demoAccounts, f.demoUsers)) (hadDemo ? report.updated : report.created).push(relative(dir, p.demoAccounts));
  // 0600 like the rest: a config may get a database URL with its password
  if (writeIfMissing(p.config, () => councilConfigYaml(f, c, report.appservicesReferenced))) {
    report.created.push(relative(dir, p.config));
    return;
  }
  const updated = addPeersToConfig(readFileSync(p.config, "utf8"), p.config, f, report.appservicesReferenced);
  if (updated !== undefined) {
    writeFileSync(p.config, updated);
    report.updated.push(relative(dir, p.config));
  }
}

/** Demo accounts agent1..agentN, localpart -> password; existing passwords are kept. */
export function readDemoAccounts(path: string): Map<string, string> {
  if (!existsSync(path)) return new Map();
  const raw: unknown = parse(readFileSync(path, "utf8"));
  if (raw === null || raw === undefined) return new Map();
  if (typeof raw !== "object" || Array.isArray(raw)) throw new CliError(`${path}: expected a mapping of localpart to password`);
  return new Map(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function addDemoPasswords(path: string, count: number): boolean {
  const accounts = readDemoAccounts(path);
  let changed = false;
  for (let i = 1; i <= count; i++) {
    if (accounts.has(`agent${i}`)) continue;
    accounts.set(`agent${i}`, randomSecret(9));
    changed = true;
  }
  if (changed) {
    const header = "# Demo accounts (localpart: password) created by `entente start`; for demonstrations only.\n";
    writeFileSync(path, header + stringify(Object.fromEntries(accounts)), { mode: 0o600 });
  }
  return changed;
}

/** The configs must load: a config init wrote or updated that the homeserver refuses is a bug to report now. */
function checkConfigs(dir: string, f: FederationFile): void {
  const errors: string[] = [];
  for (const c of f.councils) {
    try {
      loadConfig(councilPaths(dir, c.name).config, {});
    } catch (e: unknown) {
      if (e instanceof ConfigError) errors.push(...e.errors);
      else throw e;
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

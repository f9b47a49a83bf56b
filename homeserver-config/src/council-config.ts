// Each council's homeserver.yaml: written once by `entente init`, then the operator's file. When a
// council joins later, init only ADDS the newcomer to the existing files' federation.allow_list
// and federation.host_map (the YAML is edited in place, keeping comments and other changes).
import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { configSchema } from "../../homeserver/src/config/config-schema.ts";
import { CliError } from "./cli-kit.ts";
import { BOTS } from "./appservice-registration.ts";
import { RELATIVE } from "./council-paths.ts";
import { serverNameOf, type CouncilEntry, type FederationFile } from "./federation-file.ts";

/**
 * Whether the homeserver's config schema knows `appservices.registration_files` yet (the appservice
 * support lands separately; until then the registration files are written but not referenced).
 */
export function appservicesSupported(): boolean {
  const section = configSchema.fields["appservices"];
  return section?.kind === "section" && Object.hasOwn(section.fields, "registration_files");
}

/** host_map target of a council: its federation listener on loopback (the certificate names 127.0.0.1). */
const target = (c: CouncilEntry): string => `127.0.0.1:${c.ports.federation}`;

export function councilConfigYaml(f: FederationFile, c: CouncilEntry, withAppservices: boolean): string {
  const lines = [
    `# Homeserver of the council "${c.name}", written by \`entente init\`; edit it freely, init never`,
    "# rewrites it (a council added later is only appended to federation.allow_list and host_map).",
    "# Every key is documented in homeserver/config.example.yaml. Relative paths are relative to this folder.",
    "server:",
    `  name: ${serverNameOf(f, c.name)}`,
    "  data_dir: data",
    `  signing_key_path: ${RELATIVE.signingKey}`,
    "listeners:",
    "  client:",
    "    host: 127.0.0.1",
    `    port: ${c.ports.client}`,
    "registration:",
    "  # Accounts are made by the administrator (`entente user add`, or the shared-secret admin API).",
    "  enabled: false",
    `  shared_secret_file: ${RELATIVE.registrationSecret}`,
    "federation:",
    "  listener:",
    "    host: 127.0.0.1",
    `    port: ${c.ports.federation}`,
    "  tls:",
    `    cert_path: ${RELATIVE.tlsCert}`,
    `    key_path: ${RELATIVE.tlsKey}`,
    "  # The private CA of this federation (made by `entente init`), trusted besides the system CAs.",
    `  extra_ca_path: ${RELATIVE.caCert}`,
    "  # Federate only with the councils of this federation.",
    "  allow_list:",
    ...f.councils.map((o) => `    - ${serverNameOf(f, o.name)}`),
    "  # Local runs: every council's federation listener on loopback, instead of DNS discovery.",
    "  host_map:",
    ...f.councils.map((o) => `    ${serverNameOf(f, o.name)}: "${target(o)}"`),
    ...(withAppservices
      ? ["appservices:", "  registration_files:", ...BOTS.map((b) => `    - ${RELATIVE.appservice(b)}`)]
      : []),
    "logging:",
    "  level: info",
    "",
  ];
  return lines.join("\n");
}

/**
 * Adds every council of `f` missing from an existing config's allow_list (when the file has one:
 * no allow_list means open federation, which stays open) and host_map, and the bots' registration
 * files when supported. Returns the new text, or undefined when nothing was missing.
 */
export function addPeersToConfig(text: string, fileName: string, f: FederationFile, withAppservices: boolean): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new CliError(`${fileName}: invalid YAML, not updated: ${doc.errors[0]?.message ?? ""}`);
  try {
    const names = f.councils.map((c) => serverNameOf(f, c.name));
    let changed = appendMissing(doc, ["federation", "allow_list"], names, false);
    changed = addMissingEntries(doc, ["federation", "host_map"], f.councils.map((c) => [serverNameOf(f, c.name), target(c)])) || changed;
    if (withAppservices) changed = appendMissing(doc, ["appservices", "registration_files"], BOTS.map(RELATIVE.appservice), true) || changed;
    return changed ? doc.toString() : undefined;
  } catch (e: unknown) {
    throw new CliError(`${fileName}: cannot add the new councils (${e instanceof Error ? e.message : String(e)}); add them to federation.allow_list and host_map by hand`);
  }
}

const scalarText = (node: unknown): string => String(isScalar(node) ? node.value : node);

function appendMissing(doc: Document, path: string[], values: string[], createIfAbsent: boolean): boolean {
  const node = doc.getIn(path, true);
  if (node === undefined || node === null) {
    if (!createIfAbsent) return false;
    doc.setIn(path, doc.createNode(values));
    return true;
  }
  if (!isSeq(node)) throw new Error(`${path.join(".")} is not a list`);
  const present = new Set(node.items.map(scalarText));
  const missing = values.filter((v) => !present.has(v));
  for (const v of missing) node.add(doc.createNode(v));
  return missing.length > 0;
}

function addMissingEntries(doc: Document, path: string[], entries: [string, string][]): boolean {
  const node = doc.getIn(path, true);
  if (node === undefined || node === null) {
    doc.setIn(path, doc.createNode(Object.fromEntries(entries)));
    return true;
  }
  if (!isMap(node)) throw new Error(`${path.join(".")} is not a mapping`);
  const missing = entries.filter(([k]) => !node.has(k));
  for (const [k, v] of missing) node.set(k, v);
  return missing.length > 0;
}

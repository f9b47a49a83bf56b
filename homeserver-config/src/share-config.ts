// DIR/<council>/share.yaml: the council's citizen sharing service (appservices/share), written by
// `entente init` and run by `entente start`. Checked with the homeserver config's schema
// combinators, so every problem is reported at once and the schema is the documentation.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { applySchema, errorCode } from "../../homeserver/src/config/apply-schema.ts";
import { httpBaseUrl, integer, listenHost, path, section, withDefault, derived, type Infer } from "../../homeserver/src/config/schema-combinators.ts";
import { ConfigError } from "../../homeserver/src/config/load-config.ts";

export const SHARE_FILE = "share.yaml";

export const shareSchema = section("The council's citizen sharing service: password-encrypted files for people without an account.", {
  listener: section("Where the service listens.", {
    host: withDefault(listenHost, "Address to listen on.", "127.0.0.1"),
    port: withDefault(integer(1, 65535), "TCP port.", 8090),
  }),
  public_url: derived(httpBaseUrl, "Base of the links given to citizens: the address they reach the service at (a reverse proxy's, in production).",
    "http://<listener.host>:<listener.port>", "https://partage.ville.example.fr",
    (get) => `http://${String(get("listener.host"))}:${String(get("listener.port"))}`),
  data_dir: withDefault(path, "Folder of the shares (ciphertext only), relative to this file's folder.", "data/share"),
  max_upload_bytes: withDefault(integer(1), "Largest encrypted file accepted, in bytes.", 4 * 1024 ** 3),
  max_expiry_hours: withDefault(integer(1, 24 * 365), "Longest validity an agent may give a link, in hours.", 24 * 30),
  max_downloads: withDefault(integer(1, 10_000), "Most downloads an agent may allow for one link.", 100),
});

export type ShareConfig = Infer<typeof shareSchema>;

/** The council's share.yaml, undefined when the council has none (made before `entente init` wrote it). */
export function loadShareConfig(councilDir: string, env: NodeJS.ProcessEnv = process.env): ShareConfig | undefined {
  const file = resolve(councilDir, SHARE_FILE);
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e: unknown) {
    throw new ConfigError([`cannot read ${file}: ${errorCode(e)}`]);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new ConfigError([`${file}: invalid YAML: ${doc.errors[0]?.message ?? ""}`]);
  const applied = applySchema(shareSchema, doc.toJS() ?? {}, { fileName: file, baseDir: dirname(file), env });
  if (!applied.ok) throw new ConfigError(applied.errors);
  return applied.value;
}

export function shareConfigYaml(council: string, port: number): string {
  return [
    `# Citizen sharing service of the council "${council}" (appservices/share/README.md), written by`,
    "# `entente init` and run by `entente start`; edit it freely, init never rewrites it.",
    "# The service keeps ciphertext only: agents' clients encrypt with a password given by another channel.",
    "listener:",
    "  host: 127.0.0.1",
    `  port: ${port}`,
    "# Base of the links given to citizens (set it to the public address behind a reverse proxy).",
    `public_url: http://127.0.0.1:${port}`,
    "# Shares (ciphertext, access logs), relative to this folder.",
    "data_dir: data/share",
    "# Largest encrypted file, longest validity (hours) and most downloads an agent may choose.",
    `max_upload_bytes: ${4 * 1024 ** 3}`,
    "max_expiry_hours: 720",
    "max_downloads: 100",
    "",
  ].join("\n");
}

// Reads a registration file (the YAML `entente init` writes in <council>/appservices/) into the
// library's own AppServiceRegistration, as matrix-appservice-bridge does for a path, but first
// checking the keys the bot cannot run without, so a wrong file fails with its name and key.
// https://spec.matrix.org/v1.16/application-service-api/#registration
import { readFileSync } from "node:fs";
import { AppServiceRegistration, type AppServiceOutput } from "matrix-appservice-bridge";
import { parse } from "yaml";

const REQUIRED = ["id", "as_token", "hs_token", "sender_localpart"] as const;

export function loadRegistration(path: string): AppServiceRegistration {
  const raw: unknown = parse(readFileSync(path, "utf8"));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`${path}: expected a registration mapping (id, url, as_token, hs_token, sender_localpart, namespaces)`);
  }
  const fields = raw as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => typeof fields[k] !== "string" || fields[k] === "");
  if (missing.length > 0) throw new Error(`${path}: ${missing.join(", ")}: expected a non-empty string`);
  if (fields["url"] !== null && typeof fields["url"] !== "string") throw new Error(`${path}: url: expected a string or null`);
  return AppServiceRegistration.fromObject(fields as unknown as AppServiceOutput);
}

// Reads the registration files named by `appservices.registration_files`. Every problem in every
// file is collected and thrown at once, one "file: key: message" line each; token values never
// appear in messages. Spec: https://spec.matrix.org/v1.16/application-service-api/#registration
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { duplicateProblems, parseRegistration, type AppserviceRegistration } from "./registration.ts";

export class RegistrationError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(`invalid application service registrations:\n${errors.join("\n")}`);
    this.name = "RegistrationError";
    this.errors = errors;
  }
}

function readYaml(file: string): { ok: true; value: unknown } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e: unknown) {
    const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "unreadable";
    return { ok: false, error: `${file}: cannot read the file: ${code}` };
  }
  // prettyErrors off: the pretty form quotes the source line, which may hold a token.
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) return { ok: false, error: `${file}: invalid YAML: ${doc.errors.map((e) => e.code).join(", ")}` };
  try {
    return { ok: true, value: doc.toJS() as unknown };
  } catch (e: unknown) {
    return { ok: false, error: `${file}: invalid YAML: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Parses already-read documents (tests use this directly). */
export function checkRegistrations(docs: readonly { file: string; raw: unknown }[], serverName: string): AppserviceRegistration[] {
  const errors: string[] = [];
  const regs: AppserviceRegistration[] = [];
  for (const { file, raw } of docs) {
    const parsed = parseRegistration(raw, file, serverName);
    if (parsed.ok) regs.push(parsed.value);
    else errors.push(...parsed.errors);
  }
  errors.push(...duplicateProblems(regs));
  if (errors.length > 0) throw new RegistrationError(errors);
  return regs;
}

export function loadRegistrations(files: readonly string[], serverName: string): AppserviceRegistration[] {
  const errors: string[] = [];
  const docs: { file: string; raw: unknown }[] = [];
  for (const file of files) {
    const read = readYaml(file);
    if (read.ok) docs.push({ file, raw: read.value });
    else errors.push(read.error);
  }
  let regs: AppserviceRegistration[] = [];
  try {
    regs = checkRegistrations(docs, serverName);
  } catch (e: unknown) {
    if (!(e instanceof RegistrationError)) throw e;
    errors.push(...e.errors);
  }
  if (errors.length > 0) throw new RegistrationError(errors);
  return regs;
}

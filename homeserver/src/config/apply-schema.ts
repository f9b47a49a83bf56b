// Walks a parsed YAML tree against a schema and collects EVERY problem instead of stopping at the
// first, so an operator fixes the config file in one go. Secret values never reach a message.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { camelCase } from "./schema-combinators.ts";
import type { CheckContext, Field, Section } from "./schema-combinators.ts";

export interface ApplyOptions {
  /** Prefix of every message, usually the config file's name. */
  readonly fileName: string;
  /** Directory of the config file: relative paths (and `_file` paths) resolve against it. */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
}

export type Applied<T> = { ok: true; value: T } | { ok: false; errors: string[] };

interface Walk {
  readonly options: ApplyOptions;
  readonly ctx: CheckContext;
  readonly errors: string[];
  /** Derived defaults run once every explicit value is known, before any refine. */
  readonly derived: (() => void)[];
  /** Section refinements, children before parents. */
  readonly refines: (() => void)[];
  root: Record<string, unknown>;
}

type Source = { kind: "absent" } | { kind: "invalid" } | { kind: "value"; raw: unknown; hidden: boolean };

const ENV_REF = /\$\{ENV:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function applySchema<T>(schema: Section<T>, raw: unknown, options: ApplyOptions): Applied<T> {
  const w: Walk = { options, ctx: { baseDir: options.baseDir }, errors: [], derived: [], refines: [], root: {} };
  let value: unknown;
  w.root = walkSection(schema, raw, "", w, (v) => { value = v; });
  for (const run of w.derived) run();
  for (const run of w.refines) run();
  // With no error, every field and refine of `schema` ran and built exactly its inferred type T.
  return w.errors.length > 0 ? { ok: false, errors: w.errors } : { ok: true, value: value as T };
}

const join = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);
/** Own keys only: a YAML key never reaches Object.prototype. */
const own = <V>(obj: Readonly<Record<string, V>>, key: string): V | undefined => (Object.hasOwn(obj, key) ? obj[key] : undefined);

function report(w: Walk, path: string, message: string): void {
  w.errors.push(path === "" ? `${w.options.fileName}: ${message}` : `${w.options.fileName}: ${path}: ${message}`);
}

function walkSection(
  sec: Section<unknown>, raw: unknown, path: string, w: Walk, place: (value: unknown) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const before = w.errors.length;
  const obj = asMapping(raw, path, w);
  reportUnknownKeys(sec, obj, path, w);
  const given = new Set<string>();
  for (const [key, node] of Object.entries(sec.fields)) {
    const target = camelCase(key);
    const put = (v: unknown): void => { out[target] = v; };
    if (node.kind === "section") walkSection(node, own(obj, key), join(path, key), w, put);
    const isGiven = node.kind === "section" ? own(obj, key) != null : walkField(node, obj, key, join(path, key), w, put);
    if (isGiven) given.add(key);
  }
  place(out);
  if (w.errors.length === before) {
    w.refines.push(() => {
      const refined = sec.refine(out, (key) => given.has(key));
      if (refined.ok) place(refined.value);
      else for (const e of refined.errors) report(w, join(path, e.key), e.message);
    });
  }
  return out;
}

function asMapping(raw: unknown, path: string, w: Walk): Record<string, unknown> {
  // An empty section (`media:` alone) is YAML null: it means "all defaults".
  if (raw === undefined || raw === null) return {};
  if (typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
  report(w, path, `expected a mapping of keys, got ${describe(raw)}`);
  return {};
}

/** Returns whether the key was given (directly or through `_file`). */
function walkField(
  field: Field<unknown>, obj: Record<string, unknown>, key: string, path: string, w: Walk, place: (v: unknown) => void,
): boolean {
  const source = readSource(field, obj, key, path, w);
  if (source.kind === "value") checkInto(field, source.raw, source.hidden, path, w, place);
  else if (source.kind === "absent") applyAbsent(field, path, w, place);
  return source.kind !== "absent";
}

function readSource(field: Field<unknown>, obj: Record<string, unknown>, key: string, path: string, w: Walk): Source {
  const direct = own(obj, key);
  const fromFile = field.type.stringly ? own(obj, `${key}_file`) : undefined;
  const hasDirect = direct !== undefined && direct !== null;
  const hasFile = fromFile !== undefined && fromFile !== null;
  if (hasDirect && hasFile) {
    report(w, path, `give either ${key} or ${key}_file, not both`);
    return { kind: "invalid" };
  }
  if (hasFile) return readValueFile(fromFile, `${path}_file`, w);
  if (!hasDirect) return { kind: "absent" };
  if (field.type.stringly && typeof direct === "string" && direct.includes("${ENV:")) return expandEnv(direct, path, w);
  return { kind: "value", raw: direct, hidden: field.secret };
}

/** `<key>_file: path`: the value is the file's content, trimmed (Docker/systemd secrets end in "\n"). */
function readValueFile(file: unknown, path: string, w: Walk): Source {
  if (typeof file !== "string" || file === "") {
    report(w, path, `expected a non-empty file path, got ${describe(file)}`);
    return { kind: "invalid" };
  }
  const absolute = resolve(w.options.baseDir, file);
  let content: string;
  try {
    content = readFileSync(absolute, "utf8").trim();
  } catch (e: unknown) {
    report(w, path, `cannot read ${absolute}: ${errorCode(e)}`);
    return { kind: "invalid" };
  }
  if (content === "") {
    report(w, path, `${absolute} is empty`);
    return { kind: "invalid" };
  }
  return { kind: "value", raw: content, hidden: true };
}

/** `${ENV:NAME}` anywhere in a string value is replaced by that environment variable. */
function expandEnv(text: string, path: string, w: Walk): Source {
  if (text.replace(ENV_REF, "").includes("${ENV:")) {
    report(w, path, "malformed ${ENV:NAME} reference (NAME is letters, digits and _)");
    return { kind: "invalid" };
  }
  const missing: string[] = [];
  const value = text.replace(ENV_REF, (_m, name: string) => {
    const v = w.options.env[name];
    if (v === undefined) missing.push(name);
    return v ?? "";
  });
  if (missing.length > 0) {
    report(w, path, `environment variable ${missing.join(", ")} is not set`);
    return { kind: "invalid" };
  }
  return { kind: "value", raw: value, hidden: true };
}

function checkInto(field: Field<unknown>, raw: unknown, hidden: boolean, path: string, w: Walk, place: (v: unknown) => void): void {
  const checked = field.type.check(raw, w.ctx);
  if (checked.ok) place(checked.value);
  else report(w, path, `expected ${checked.expected}, got ${hidden ? `${kindOf(raw)} (value hidden)` : describe(raw)}`);
}

function applyAbsent(field: Field<unknown>, path: string, w: Walk, place: (v: unknown) => void): void {
  const presence = field.presence;
  switch (presence.kind) {
    case "required":
      return report(w, path, "missing required key");
    case "default":
      return checkInto(field, presence.value, false, path, w, place);
    case "optional":
      return place(undefined);
    case "derived":
      place(undefined); // keeps the schema's key order in the produced object
      w.derived.push(() => {
        const value = presence.compute((p) => lookup(w.root, p));
        if (value !== undefined) place(value);
      });
  }
}

function lookup(root: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = root;
  for (const key of dotted.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function reportUnknownKeys(sec: Section<unknown>, obj: Record<string, unknown>, path: string, w: Walk): void {
  const known = Object.entries(sec.fields).flatMap(([key, node]) =>
    node.kind === "field" && node.type.stringly ? [key, `${key}_file`] : [key]);
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const base = own(sec.fields, key.replace(/_file$/, ""));
    const hint = key.endsWith("_file") && base?.kind === "field"
      ? ` (${key.slice(0, -5)} is not a string, so it cannot be read from a file)`
      : didYouMean(key, known);
    report(w, join(path, key), `unknown key${hint}`);
  }
}

function didYouMean(key: string, known: readonly string[]): string {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/-/g, "_").toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(snake, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const close = bestDistance <= Math.max(1, Math.floor(key.length / 3));
  return best !== undefined && close ? ` (did you mean "${best}"?)` : "";
}

/** Optimal string alignment distance: edits, plus swapping two neighbours counts as one. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

function kindOf(raw: unknown): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "object") return "a mapping";
  return typeof raw === "string" ? "a string" : typeof raw === "number" ? "a number" : `a ${typeof raw}`;
}

function describe(raw: unknown): string {
  if (typeof raw === "string") return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return kindOf(raw);
}

export function errorCode(e: unknown): string {
  if (typeof e === "object" && e !== null && "code" in e && typeof e.code === "string") return e.code;
  return e instanceof Error ? e.message : String(e);
}

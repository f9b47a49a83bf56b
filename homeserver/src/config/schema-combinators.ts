// Tiny declarative schema combinators for the config file. A schema node carries everything the
// loader (load-config.ts) and the example generator (example-config.ts) need: the description is the
// documentation, the default is the one the loader applies, and the produced TypeScript type is
// inferred from the schema (YAML snake_case keys become camelCase properties).
import { isIP, isIPv6 } from "node:net";
import { resolve } from "node:path";

/** The outcome of checking one raw YAML value: the produced value, or what was expected instead. */
export type Checked<T> = { ok: true; value: T } | { ok: false; expected: string };

export interface CheckContext {
  /** Directory of the config file: relative paths resolve against it. */
  readonly baseDir: string;
}

/** The YAML-side type of a leaf: how to check and convert a raw value. */
export interface ValueType<T> {
  /** What a valid value looks like, e.g. "an integer 1-65535" (error messages and docs). */
  readonly expected: string;
  /** A string in YAML: `<key>_file` and `${ENV:NAME}` may supply it. */
  readonly stringly: boolean;
  readonly check: (raw: unknown, ctx: CheckContext) => Checked<T>;
}

/** Reads an already-loaded value by its camelCase dotted path, e.g. "server.dataDir". */
export type Lookup = (path: string) => unknown;

/** How a key may be absent. Derived defaults may only read keys that are not derived themselves. */
export type Presence<T> =
  | { readonly kind: "required"; readonly placeholder: unknown }
  | { readonly kind: "default"; readonly value: unknown }
  | { readonly kind: "derived"; readonly doc: string; readonly example: unknown; readonly compute: (get: Lookup) => T | undefined }
  | { readonly kind: "optional"; readonly example: unknown };

export interface Field<T> {
  readonly kind: "field";
  readonly description: string;
  readonly type: ValueType<T>;
  readonly presence: Presence<T>;
  /** Never echo the value in errors; the example config recommends `_file` or `${ENV:…}`. */
  readonly secret: boolean;
}

export type Refined<T> = { ok: true; value: T } | { ok: false; errors: { key: string; message: string }[] };

export interface Section<T> {
  readonly kind: "section";
  readonly description: string;
  readonly fields: Readonly<Record<string, Node>>;
  /** Cross-key rules and reshaping, run once every key of the section is valid. */
  readonly refine: (value: Record<string, unknown>, given: (key: string) => boolean) => Refined<T>;
}

// `unknown` type arguments keep Field/Section covariant, so any Field<T> is a Node.
export type Node = Field<unknown> | Section<unknown>;
export type Infer<N> = N extends Field<infer T> ? T : N extends Section<infer T> ? T : never;

type Camel<S extends string> = S extends `${infer H}_${infer R}` ? `${H}${Capitalize<Camel<R>>}` : S;
export type Shape<F extends Record<string, Node>> = { [K in keyof F & string as Camel<K>]: Infer<F[K]> };

export const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

// ---- nodes ----

const field = <T>(type: ValueType<T>, description: string, presence: Presence<T>): Field<T> =>
  ({ kind: "field", description, type, presence, secret: false });

export const required = <T>(type: ValueType<T>, description: string, placeholder: unknown): Field<T> =>
  field(type, description, { kind: "required", placeholder });

/** `value` is a raw YAML value, checked like a given one (so a default path is resolved too). */
export const withDefault = <T>(type: ValueType<T>, description: string, value: unknown): Field<T> =>
  field(type, description, { kind: "default", value });

export const derived = <T>(type: ValueType<T>, description: string, doc: string, example: unknown, compute: (get: Lookup) => T | undefined): Field<T> =>
  field(type, description, { kind: "derived", doc, example, compute });

export const optional = <T>(type: ValueType<T>, description: string, example: unknown): Field<T | undefined> =>
  field<T | undefined>(type, description, { kind: "optional", example });

export const secret = <T>(f: Field<T>): Field<T> => ({ ...f, secret: true });

export function section<F extends Record<string, Node>>(description: string, fields: F): Section<Shape<F>>;
export function section<F extends Record<string, Node>, T>(
  description: string, fields: F, refine: (value: Shape<F>, given: (key: keyof F & string) => boolean) => Refined<T>,
): Section<T>;
export function section(
  description: string, fields: Record<string, Node>,
  refine: (value: never, given: (key: string) => boolean) => Refined<unknown> = (value) => ({ ok: true, value }),
): Section<unknown> {
  // The loader only calls refine with the object built from `fields`, which is exactly Shape<F>.
  return { kind: "section", description, fields, refine: refine as Section<unknown>["refine"] };
}

// ---- value types ----

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const stringType = <T>(expected: string, convert: (s: string, ctx: CheckContext) => T | undefined): ValueType<T> => ({
  expected,
  stringly: true,
  check: (raw, ctx) => {
    const value = typeof raw === "string" ? convert(raw, ctx) : undefined;
    return value === undefined ? { ok: false, expected } : ok(value);
  },
});

export const nonEmptyString: ValueType<string> = stringType("a non-empty string", (s) => (s === "" ? undefined : s));

export const boolean: ValueType<boolean> = {
  expected: "a boolean (true or false)",
  stringly: false,
  check: (raw) => (typeof raw === "boolean" ? ok(raw) : { ok: false, expected: "a boolean (true or false)" }),
};

function describeRange(min: number, max: number | undefined): string {
  if (max !== undefined) return `an integer ${min}-${max}`;
  if (min === 1) return "a positive integer";
  if (min === 0) return "a non-negative integer (0 or more)";
  return `an integer >= ${min}`;
}

export function integer(min: number, max?: number): ValueType<number> {
  const expected = describeRange(min, max);
  const inRange = (n: number): boolean => Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max);
  return { expected, stringly: false, check: (raw) => (typeof raw === "number" && inRange(raw) ? ok(raw) : { ok: false, expected }) };
}

export const nonNegativeNumber: ValueType<number> = {
  expected: "a number >= 0",
  stringly: false,
  check: (raw) => (typeof raw === "number" && Number.isFinite(raw) && raw >= 0 ? ok(raw) : { ok: false, expected: "a number >= 0" }),
};


/** One of fixed strings; a YAML number is compared as text, so `default_version: 12` works unquoted. */
export function oneOf<const V extends readonly string[]>(values: V): ValueType<V[number]> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
  const find = (raw: unknown): V[number] | undefined =>
    typeof raw === "string" || typeof raw === "number" ? values.find((v) => v === String(raw)) : undefined;
  return {
    expected,
    stringly: true,
    check: (raw) => {
      const value = find(raw);
      return value === undefined ? { ok: false, expected } : ok(value);
    },
  };
}

/** A path; relative ones resolve against the config file's directory. */
export const path: ValueType<string> = stringType("a non-empty file path", (s, ctx) => (s === "" ? undefined : resolve(ctx.baseDir, s)));

// https://spec.matrix.org/v1.16/appendices/#server-name
// server_name = hostname [ ":" port ]; hostname = IPv4address / "[" IPv6address "]" / dns-name.
// An IPv4 literal also matches dns-name, so it needs no branch of its own.
const SERVER_NAME = /^(?:\[([0-9A-Fa-f:.]{2,45})\]|[0-9A-Za-z.-]{1,255})(?::([0-9]{1,5}))?$/;
export function isServerName(s: string): boolean {
  const m = SERVER_NAME.exec(s);
  if (m === null) return false;
  const [, ipv6, port] = m;
  if (ipv6 !== undefined && !isIPv6(ipv6)) return false;
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}
export const serverName: ValueType<string> = stringType(
  "a server name, hostname[:port] (https://spec.matrix.org/v1.16/appendices/#server-name)",
  (s) => (isServerName(s) ? s : undefined),
);

const DNS_NAME = /^(?=.{1,253}$)[0-9A-Za-z](?:[0-9A-Za-z-]{0,61}[0-9A-Za-z])?(?:\.[0-9A-Za-z](?:[0-9A-Za-z-]{0,61}[0-9A-Za-z])?)*$/;
/** An address to listen on: an IP address (IPv6 without brackets) or a host name. */
export const listenHost: ValueType<string> = stringType("an IP address or host name", (s) =>
  isIP(s) !== 0 || DNS_NAME.test(s) ? s : undefined,
);

function parseUrl(s: string, protocols: readonly string[]): URL | undefined {
  if (!URL.canParse(s)) return undefined;
  const url = new URL(s);
  return protocols.includes(url.protocol) ? url : undefined;
}

/** An http(s) base URL without query or fragment; trailing slashes are dropped so paths can be appended. */
export const httpBaseUrl: ValueType<string> = stringType("an http:// or https:// URL without query or fragment", (s) => {
  const url = parseUrl(s, ["http:", "https:"]);
  if (url === undefined || url.hostname === "" || url.search !== "" || url.hash !== "") return undefined;
  return url.href.replace(/\/+$/, "");
});

/** libpq connection URI; the host may be empty (Unix socket, `?host=/run/postgresql`). */
export const postgresUrl: ValueType<string> = stringType("a postgres:// or postgresql:// URL", (s) =>
  parseUrl(s, ["postgres:", "postgresql:"]) === undefined ? undefined : s,
);

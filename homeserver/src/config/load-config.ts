// Loads homeserver.yaml into a validated HomeserverConfig, or throws a ConfigError listing every
// problem at once (one "file: key.path: message" line each). Secret values never appear in messages.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { applySchema, errorCode } from "./apply-schema.ts";
import { configSchema } from "./config-schema.ts";
import type { HomeserverConfig } from "./config-types.ts";

export class ConfigError extends Error {
  readonly errors: string[];

  constructor(errors: string[]) {
    super(errors.join("\n"));
    this.name = "ConfigError";
    this.errors = errors;
  }
}

/** Reads and validates a config file; relative paths inside it resolve against its directory. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): HomeserverConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e: unknown) {
    throw new ConfigError([`cannot read config file ${path}: ${errorCode(e)}`]);
  }
  return parseConfig(text, path, dirname(resolve(path)), env);
}

/**
 * Validates config text. `fileName` prefixes every message; `baseDir` is where relative paths
 * (including `<key>_file` paths) resolve; `env` supplies `${ENV:NAME}` values.
 */
export function parseConfig(
  yamlText: string, fileName: string, baseDir: string, env: NodeJS.ProcessEnv = process.env,
): HomeserverConfig {
  const raw = parseYaml(yamlText, fileName);
  const applied = applySchema(configSchema, raw, { fileName, baseDir: resolve(baseDir), env });
  if (!applied.ok) throw new ConfigError(applied.errors);
  return applied.value;
}

/** YAML 1.2 (core schema: `yes` is a string, not true). Syntax errors stop before validation. */
function parseYaml(text: string, fileName: string): unknown {
  const lineCounter = new LineCounter();
  // prettyErrors off: the pretty form quotes the offending source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${fileName}: line ${line}, column ${col}: invalid YAML: ${e.message}`;
    }));
  }
  try {
    return doc.toJS();
  } catch (e: unknown) {
    // e.g. an alias to an undefined anchor, or too many aliases (billion laughs).
    throw new ConfigError([`${fileName}: invalid YAML: ${e instanceof Error ? e.message : String(e)}`]);
  }
}

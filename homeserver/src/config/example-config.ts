// Generates the commented example config from the schema, so the documentation cannot drift from
// what the loader accepts. homeserver/config.example.yaml is this output, checked in; a test fails
// when it is stale. Regenerate: `npm run config:example -w homeserver` (runs this file with --write).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { configSchema } from "./config-schema.ts";
import type { Field, Node, Section } from "./schema-combinators.ts";

export const EXAMPLE_CONFIG_PATH = fileURLToPath(new URL("../../config.example.yaml", import.meta.url));

const HEADER = [
  "# Entente homeserver configuration: every key, its documentation and its default.",
  "# Generated from homeserver/src/config/config-schema.ts by `npm run config:example -w homeserver`;",
  "# do not edit by hand.",
  "#",
  "# Only server.name is required; a key left out takes its default. Keys shown commented out have",
  "# no default, or a default computed from other keys.",
  "# Relative paths are resolved against the directory of this file.",
  "# Any string value may instead be read from a file, `<key>_file: /path/to/file` (content trimmed),",
  "# or taken from the environment, `${ENV:NAME}`: give secrets that way.",
];

export function renderExampleConfig(): string {
  const lines = [...HEADER];
  for (const [key, node] of Object.entries(configSchema.fields)) {
    lines.push("");
    renderNode(key, node, "", lines);
  }
  return lines.join("\n") + "\n";
}

function renderNode(key: string, node: Node, indent: string, lines: string[]): void {
  if (node.kind === "section") renderSection(key, node, indent, lines);
  else renderField(key, node, indent, lines);
}

function renderSection(key: string, sec: Section<unknown>, indent: string, lines: string[]): void {
  lines.push(`${indent}# ${sec.description}`, `${indent}${key}:`);
  Object.entries(sec.fields).forEach(([childKey, child], i) => {
    if (i > 0) lines.push("");
    renderNode(childKey, child, `${indent}  `, lines);
  });
}

function renderField(key: string, field: Field<unknown>, indent: string, lines: string[]): void {
  const p = field.presence;
  const secretNote = field.secret ? ` Secret: prefer ${key}_file or \${ENV:NAME}.` : "";
  const type = field.type.expected;
  lines.push(`${indent}# ${field.description}`);
  switch (p.kind) {
    case "required":
      lines.push(`${indent}# Required: ${type}.${secretNote}`, `${indent}${key}: ${scalar(p.placeholder)}`);
      return;
    case "default":
      lines.push(`${indent}# ${capitalize(type)}.${secretNote}`, `${indent}${key}: ${scalar(p.value)}`);
      return;
    case "derived":
      lines.push(`${indent}# ${capitalize(type)}; default: ${p.doc}.${secretNote}`, `${indent}#${key}: ${scalar(p.example)}`);
      return;
    case "optional":
      lines.push(`${indent}# ${capitalize(type)}; optional.${secretNote}`, `${indent}#${key}: ${scalar(p.example)}`);
  }
}

/** The YAML library quotes exactly when needed (e.g. "12" stays a string, not a number). */
const scalar = (value: unknown): string => stringify(value).trimEnd();
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

if (import.meta.main) {
  const text = renderExampleConfig();
  if (process.argv.includes("--write")) writeFileSync(EXAMPLE_CONFIG_PATH, text);
  else process.stdout.write(text);
}

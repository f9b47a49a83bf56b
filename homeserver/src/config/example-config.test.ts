import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { configSchema } from "./config-schema.ts";
import { EXAMPLE_CONFIG_PATH, renderExampleConfig } from "./example-config.ts";
import { parseConfig } from "./load-config.ts";
import type { Field, Section } from "./schema-combinators.ts";

/** Every leaf of the schema with its dotted YAML path. */
function leaves(sec: Section<unknown>, prefix = ""): [string, Field<unknown>][] {
  return Object.entries(sec.fields).flatMap(([key, node]): [string, Field<unknown>][] =>
    node.kind === "section" ? leaves(node, `${prefix}${key}.`) : [[`${prefix}${key}`, node]]);
}

describe("renderExampleConfig", () => {
  const text = renderExampleConfig();

  it("matches the checked-in homeserver/config.example.yaml", () => {
    const onDisk = readFileSync(EXAMPLE_CONFIG_PATH, "utf8");
    assert.ok(onDisk === text,
      "homeserver/config.example.yaml is stale: regenerate it with `npm run config:example -w homeserver`");
  });

  it("loads into exactly the defaults (the placeholder name aside)", () => {
    const base = "/srv/entente";
    assert.deepEqual(parseConfig(text, "config.example.yaml", base, {}),
      parseConfig("server:\n  name: ville-a.example.fr\n", "homeserver.yaml", base, {}));
  });

  it("documents every key with its description, and shows each optional or derived key commented out", () => {
    const lines = text.split("\n");
    for (const [path, field] of leaves(configSchema)) {
      const key = path.split(".").at(-1)!;
      const at = lines.findIndex((l) => l.trim() === `# ${field.description}`);
      assert.ok(at >= 0, `${path}: description missing`);
      const keyLine = lines[at + 2]!.trim();
      const commented = field.presence.kind === "derived" || field.presence.kind === "optional";
      assert.ok(keyLine.startsWith(commented ? `#${key}: ` : `${key}: `), `${path}: got key line ${keyLine}`);
    }
  });

  it("gives examples and placeholders that pass their own key's check", () => {
    for (const [path, field] of leaves(configSchema)) {
      const p = field.presence;
      const sample = p.kind === "required" ? p.placeholder : p.kind === "default" ? p.value : p.example;
      const raw = typeof sample === "string" ? sample.replace(/\$\{ENV:\w+\}/g, "x") : sample;
      assert.ok(field.type.check(raw, { baseDir: "/" }).ok, `${path}: ${String(sample)} is not ${field.type.expected}`);
    }
  });

  it("marks secrets with the ways to keep them out of the file", () => {
    assert.match(text, /# .*Secret: prefer shared_secret_file or \$\{ENV:NAME\}\.\n\s+#shared_secret: /);
    assert.match(text, /# .*Secret: prefer url_file or \$\{ENV:NAME\}\.\n\s+#url: /);
  });
});

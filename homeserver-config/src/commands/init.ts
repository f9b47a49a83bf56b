// entente init DIR --council NAME [--council NAME ...]: creates or completes a federation directory.
import { resolve } from "node:path";
import { counted, intOption, parseCommandArgs, positionals, UsageError, type Command } from "../cli-kit.ts";
import { DEFAULT_BASE_PORT, DEFAULT_DOMAIN, initFederation, type InitReport } from "../init-federation.ts";
import { serverNameOf } from "../federation-file.ts";

const USAGE = `Usage: entente init DIR --council NAME [--council NAME ...] [options]

Creates a federation of councils in DIR, or adds councils to an existing one:
  DIR/federation.yaml            the councils and their ports
  DIR/ca/                        the federation's private certificate authority (openssl)
  DIR/<name>/homeserver.yaml     each council's homeserver config (server name <name>.<domain>)
  DIR/<name>/signing.key         its ed25519 signing key
  DIR/<name>/tls/                its TLS certificate, signed by the CA
  DIR/<name>/share.yaml          its citizen sharing service (port, public URL, limits)
  DIR/<name>/registration-secret.txt, admin-password.txt, appservices/*.yaml   secrets (mode 0600)
Re-running init never replaces an existing key, certificate, secret or data: it adds the missing
councils (and appends them to the existing councils' allow_list and host_map).

Options:
  --council NAME     a council (lowercase letters, digits, hyphens); repeat for several
  --base-port N      first port to allocate, 4 per council (client, federation, tasks, calendar),
                     then one share service port per council
                     (default ${DEFAULT_BASE_PORT})
  --domain SUFFIX    server names are <name>.<SUFFIX> (default ${DEFAULT_DOMAIN}); fixed at the first init
  --demo-users N     demo accounts agent1..agentN that \`entente start\` creates on every council
  --help             show this help`;

export const initCommand: Command = {
  name: "init",
  summary: "create a federation of councils in a directory (or add councils to it)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("init", argv, {
      council: { type: "string", multiple: true }, "base-port": { type: "string" }, domain: { type: "string" },
      "demo-users": { type: "string" }, help: { type: "boolean" },
    });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    const [dir = ""] = positionals("init", pos, ["DIR"]);
    const councils = values.council ?? [];
    if (councils.length === 0) throw new UsageError("entente init: give at least one --council NAME (see entente init --help)");
    const report = initFederation({
      dir: resolve(dir), councils,
      basePort: intOption("init", values["base-port"], "--base-port", 1, 65532),
      domain: values.domain,
      demoUsers: intOption("init", values["demo-users"], "--demo-users", 0, 100),
    });
    io.out(summary(dir, report));
    return 0;
  },
};

function summary(dir: string, r: InitReport): string {
  const f = r.federation;
  const lines = [
    r.addedCouncils.length > 0 ? `Councils added / collectivités ajoutées: ${r.addedCouncils.join(", ")}` : "No new council; missing files completed.",
    ...f.councils.map((c) => `  ${c.name.padEnd(16)} ${serverNameOf(f, c.name).padEnd(32)} client :${c.ports.client}  federation :${c.ports.federation}`),
    `${counted(r.created.length, "file")} created, ${r.updated.length} updated${r.updated.length > 0 ? ` (${r.updated.join(", ")})` : ""}.`,
  ];
  if (!r.appservicesReferenced) {
    lines.push("Appservice registrations written to <council>/appservices/ (the homeserver config cannot reference them yet).");
  }
  lines.push(`Next: entente start ${dir}`);
  return lines.join("\n") + "\n";
}

// entente archive-key create --config FILE --name NAME --email EMAIL
import { existsSync } from "node:fs";
import { CliError, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { archiveKeyPaths, writeArchiveKeyPair } from "../archive-key-files.ts";

const USAGE = `Usage: entente archive-key create --config FILE --name NAME --email EMAIL

Creates the council's archive key, which signs archive exports (entente archive export): an
OpenPGP v4 key, Ed25519 + Curve25519 (GnuPG reads it). Written beside the council's config:
archive/council-archive-key.asc (secret, 0600) and archive/council-archive-key.pub.asc (give the
public key to the archivist, who checks the signature with it). Never replaces an existing key.
  --config FILE   the council's homeserver.yaml
  --name NAME     the key's name, e.g. "Mairie de Lyon - archives"
  --email EMAIL   the key's e-mail address
  --help          show this help`;

export const archiveKeyCreateCommand: Command = {
  name: "archive-key create",
  summary: "create the council's archive signing key",
  usage: USAGE,
  async run(argv, io) {
    const opts = { config: { type: "string" }, name: { type: "string" }, email: { type: "string" }, help: { type: "boolean" } } as const;
    const { values, positionals: pos } = parseCommandArgs("archive-key create", argv, opts);
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("archive-key create", pos, []);
    const config = requireOption("archive-key create", values.config, "--config FILE");
    const name = requireOption("archive-key create", values.name, "--name NAME");
    const email = requireOption("archive-key create", values.email, "--email EMAIL");
    if (!existsSync(config)) throw new CliError(`entente archive-key create: config not found: ${config}`);
    const paths = archiveKeyPaths(config);
    if (existsSync(paths.secret)) throw new CliError(`entente archive-key create: an archive key already exists: ${paths.secret}`);
    const key = await writeArchiveKeyPair(paths, name, email);
    io.out(`archive key ${key.fingerprint}\n  secret: ${paths.secret}\n  public: ${paths.public}\n`);
    return 0;
  },
};

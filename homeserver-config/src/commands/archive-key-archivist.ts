// entente archive-key archivist --config FILE --key FILE
import { existsSync } from "node:fs";
import { CliError, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { archiveKeyPaths, readTextFile } from "../archive-key-files.ts";
import { writeIfMissing } from "../secret-files.ts";
import { ArchiveKeyError, readRecipientKey } from "../../../appservices/files/src/archive/archive-keys.ts";

const USAGE = `Usage: entente archive-key archivist --config FILE --key FILE

Records the archivist's public key (armored, e.g. from gpg --armor --export): exports for archiving
made from the web client ("Exporter pour archivage") are encrypted to it and signed with the
council's archive key by the council's share service (entente start). Written to
archive/archivist.pub.asc beside the council's config; never replaces an existing one.
  --config FILE   the council's homeserver.yaml
  --key FILE      the archivist's armored OpenPGP public key (v4, able to encrypt)
  --help          show this help`;

export const archiveKeyArchivistCommand: Command = {
  name: "archive-key archivist",
  summary: "record the archivist's public key (exports from the client)",
  usage: USAGE,
  async run(argv, io) {
    const cmd = "archive-key archivist";
    const { values, positionals: pos } = parseCommandArgs(cmd, argv, { config: { type: "string" }, key: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals(cmd, pos, []);
    const config = requireOption(cmd, values.config, "--config FILE");
    const keyFile = requireOption(cmd, values.key, "--key FILE");
    if (!existsSync(config)) throw new CliError(`entente ${cmd}: config not found: ${config}`);
    const paths = archiveKeyPaths(config);
    if (existsSync(paths.archivist)) throw new CliError(`entente ${cmd}: an archivist's key already exists: ${paths.archivist}`);
    let key;
    try {
      key = await readRecipientKey(readTextFile(keyFile, "key file"));
    } catch (e: unknown) {
      if (e instanceof ArchiveKeyError) throw new CliError(`entente ${cmd}: ${e.message}`);
      throw e;
    }
    writeIfMissing(paths.archivist, key.armor(), 0o644);
    io.out(`archivist's key ${key.getFingerprint().toUpperCase()} recorded\n  ${paths.archivist}\n`);
    return 0;
  },
};

// entente archive-key import --config FILE --key FILE
import { existsSync } from "node:fs";
import * as openpgp from "openpgp";
import { CliError, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { archiveKeyPaths, readTextFile } from "../archive-key-files.ts";
import { writeIfMissing } from "../secret-files.ts";
import { ArchiveKeyError, readSigningKey } from "../../../appservices/files/src/archive/archive-keys.ts";

const USAGE = `Usage: entente archive-key import --config FILE --key FILE

Imports an existing OpenPGP secret key (armored, e.g. from gpg --export-secret-keys --armor) as the
council's archive key. It must be a v4 key able to sign. A passphrase-protected key is decrypted
with ENTENTE_ARCHIVE_KEY_PASSPHRASE and stored unprotected, 0600, like the homeserver's own keys.
  --config FILE   the council's homeserver.yaml
  --key FILE      the armored secret key
  --help          show this help`;

export const archiveKeyImportCommand: Command = {
  name: "archive-key import",
  summary: "import an existing archive signing key",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("archive-key import", argv, { config: { type: "string" }, key: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("archive-key import", pos, []);
    const config = requireOption("archive-key import", values.config, "--config FILE");
    const keyFile = requireOption("archive-key import", values.key, "--key FILE");
    if (!existsSync(config)) throw new CliError(`entente archive-key import: config not found: ${config}`);
    const paths = archiveKeyPaths(config);
    if (existsSync(paths.secret)) throw new CliError(`entente archive-key import: an archive key already exists: ${paths.secret}`);
    let key: openpgp.PrivateKey;
    try {
      key = await readSigningKey(readTextFile(keyFile, "key file"), io.env["ENTENTE_ARCHIVE_KEY_PASSPHRASE"]);
    } catch (e: unknown) {
      if (e instanceof ArchiveKeyError) throw new CliError(`entente archive-key import: ${e.message}`);
      throw e;
    }
    writeIfMissing(paths.secret, key.armor(), 0o600);
    writeIfMissing(paths.public, key.toPublic().armor(), 0o644);
    io.out(`archive key ${key.getFingerprint().toUpperCase()} imported\n  secret: ${paths.secret}\n  public: ${paths.public}\n`);
    return 0;
  },
};

// entente archive export --config FILE --room ROOM_ID --homeserver URL --recipient FILE --out FILE
import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { Writable } from "node:stream";
import { counted, CliError, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { archiveKeyPaths, readTextFile } from "../archive-key-files.ts";
import { ArchiveKeyError, readRecipientKey, readSigningKey } from "../../../appservices/files/src/archive/archive-keys.ts";
import { writeArchive } from "../../../appservices/files/src/archive/archive-writer.ts";
import { roomArchiveItems } from "../../../appservices/files/src/archive/room-source.ts";
import type { ArchiveManifest } from "../../../appservices/files/src/archive/archive-layout.ts";
import { nodeBackend } from "../../../appservices/files/src/attachments/node-backend.ts";

const USAGE = `Usage: entente archive export --config FILE --room ROOM_ID --homeserver URL --recipient FILE --out FILE

Exports a room (a dossier or any room) for the public archives: its state, its messages and its
files (decrypted), with a manifest giving the SHA-256 of every item, as ONE OpenPGP message signed
with the council's archive key (entente archive-key create) and encrypted to the archivist's public
key. Open it with: gpg --decrypt FILE > archive.tar (see docs/dossiers.md for the layout).
The room is read with the access token in ENTENTE_ACCESS_TOKEN (a member of the room).
  --config FILE      the council's homeserver.yaml (locates the archive key)
  --room ROOM_ID     the room to export, e.g. !abc:mairie.example
  --homeserver URL   the council's client API, e.g. http://127.0.0.1:8008
  --recipient FILE   the archivist's armored OpenPGP public key
  --out FILE         where to write the export (written to FILE.part, renamed when complete)
  --help             show this help`;

export const archiveExportCommand: Command = {
  name: "archive export",
  summary: "export a room as a signed, encrypted OpenPGP archive",
  usage: USAGE,
  async run(argv, io) {
    const opts = { config: { type: "string" }, room: { type: "string" }, homeserver: { type: "string" }, recipient: { type: "string" }, out: { type: "string" }, help: { type: "boolean" } } as const;
    const { values, positionals: pos } = parseCommandArgs("archive export", argv, opts);
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("archive export", pos, []);
    const cmd = "archive export";
    const config = requireOption(cmd, values.config, "--config FILE");
    const roomId = requireOption(cmd, values.room, "--room ROOM_ID");
    const homeserver = requireOption(cmd, values.homeserver, "--homeserver URL");
    const recipientFile = requireOption(cmd, values.recipient, "--recipient FILE");
    const out = requireOption(cmd, values.out, "--out FILE");
    if (!/^![^\s/]+$/.test(roomId)) throw new CliError(`entente ${cmd}: not a room id: ${roomId}`);
    if (!/^https?:\/\/[^/]+/.test(homeserver)) throw new CliError(`entente ${cmd}: --homeserver must be an http(s) URL`);
    const token = io.env["ENTENTE_ACCESS_TOKEN"];
    if (!token) throw new CliError(`entente ${cmd}: set ENTENTE_ACCESS_TOKEN to the access token of a member of the room`);
    const paths = archiveKeyPaths(config);
    if (!existsSync(paths.secret)) throw new CliError(`entente ${cmd}: no archive key (run entente archive-key create --config ${config})`);
    let keys;
    try {
      keys = {
        signingKey: await readSigningKey(readTextFile(paths.secret, "archive key"), io.env["ENTENTE_ARCHIVE_KEY_PASSPHRASE"]),
        recipientKey: await readRecipientKey(readTextFile(recipientFile, "archivist's key")),
      };
    } catch (e: unknown) {
      if (e instanceof ArchiveKeyError) throw new CliError(`entente ${cmd}: ${e.message}`);
      throw e;
    }
    const whoami = await fetch(`${homeserver.replace(/\/+$/, "")}/_matrix/client/v3/account/whoami`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (!whoami?.ok) throw new CliError(`entente ${cmd}: the homeserver refused the access token (${whoami ? `HTTP ${whoami.status}` : "unreachable"})`);
    const userId = ((await whoami.json()) as { user_id?: string }).user_id ?? "";
    const missing: ArchiveManifest["missing"] = [];
    const items = roomArchiveItems({ baseUrl: homeserver, accessToken: token, roomId, backend: nodeBackend }, missing);
    const encrypted = await writeArchive({ items, missing, ...keys, backend: nodeBackend, header: { room_id: roomId, exported_at: new Date().toISOString(), exported_by: userId } });
    const part = `${out}.part`;
    try {
      await encrypted.pipeTo(Writable.toWeb(createWriteStream(part, { mode: 0o600 })));
    } catch (e: unknown) {
      rmSync(part, { force: true });
      throw new CliError(`entente ${cmd}: export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    renameSync(part, out);
    io.out(`exported ${roomId} to ${out}${missing.length ? ` (${counted(missing.length, "file")} left out, listed in manifest.json)` : ""}\n`);
    return 0;
  },
};

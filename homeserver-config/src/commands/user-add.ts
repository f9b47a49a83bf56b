// entente user add --config FILE NAME [--admin] [--displayname TEXT] [--password-file FILE]
import { addUser, readPassword, resolveUserId } from "../admin-users.ts";
import { parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { withCouncilDatabase } from "../council-database.ts";

const USAGE = `Usage: entente user add --config FILE NAME [options]

Creates an account on the council's homeserver (directly in its database; the server may be
running). NAME is a localpart (alice) or a full user id (@alice:<server name>).
  --config FILE          the council's homeserver.yaml
  --password-file FILE   read the password from FILE ("-": standard input); default: a random
                         password, printed once
  --admin                make the account a server administrator
  --displayname TEXT     display name (default: the localpart)
  --help                 show this help`;

export const userAddCommand: Command = {
  name: "user add",
  summary: "create an account",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("user add", argv, {
      config: { type: "string" }, "password-file": { type: "string" }, admin: { type: "boolean" },
      displayname: { type: "string" }, help: { type: "boolean" },
    });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    const [name = ""] = positionals("user add", pos, ["NAME"]);
    const config = requireOption("user add", values.config, "--config FILE");
    const { password, generated } = readPassword(values["password-file"]);
    await withCouncilDatabase(config, io.env, async (c) => {
      const userId = resolveUserId("user add", name, c.config.server.name);
      await addUser(c, { userId, password, admin: values.admin ?? false, displayname: values.displayname, now: Date.now() });
      io.out(`created ${userId}${values.admin ? " (admin)" : ""}${generated ? `\npassword: ${password}` : ""}\n`);
    });
    return 0;
  },
};

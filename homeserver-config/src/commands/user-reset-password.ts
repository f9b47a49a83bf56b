// entente user reset-password --config FILE NAME [--password-file FILE] [--keep-sessions]
import { readPassword, resetPassword, resolveUserId } from "../admin-users.ts";
import { parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { withCouncilDatabase } from "../council-database.ts";

const USAGE = `Usage: entente user reset-password --config FILE NAME [options]

Sets a new password; every device of the account is logged out unless --keep-sessions.
  --config FILE          the council's homeserver.yaml
  --password-file FILE   read the password from FILE ("-": standard input); default: a random
                         password, printed once
  --keep-sessions        keep the account's devices logged in
  --help                 show this help`;

export const userResetPasswordCommand: Command = {
  name: "user reset-password",
  summary: "set a new password (logs the devices out)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("user reset-password", argv, {
      config: { type: "string" }, "password-file": { type: "string" }, "keep-sessions": { type: "boolean" }, help: { type: "boolean" },
    });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    const [name = ""] = positionals("user reset-password", pos, ["NAME"]);
    const config = requireOption("user reset-password", values.config, "--config FILE");
    const { password, generated } = readPassword(values["password-file"]);
    await withCouncilDatabase(config, io.env, async (c) => {
      const userId = resolveUserId("user reset-password", name, c.config.server.name);
      await resetPassword(c, userId, password, values["keep-sessions"] ?? false);
      io.out(`password of ${userId} changed${values["keep-sessions"] ? "" : ", devices logged out"}${generated ? `\npassword: ${password}` : ""}\n`);
    });
    return 0;
  },
};

// entente user list --config FILE
import { counted, formatTable, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { withCouncilDatabase } from "../council-database.ts";

const USAGE = `Usage: entente user list --config FILE

Lists the accounts of the council's homeserver (local users, appservice users included).
  --config FILE   the council's homeserver.yaml
  --help          show this help`;

export const userListCommand: Command = {
  name: "user list",
  summary: "list accounts",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("user list", argv, { config: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("user list", pos, []);
    const config = requireOption("user list", values.config, "--config FILE");
    await withCouncilDatabase(config, io.env, async (c) => {
      const users = await c.users.listUsers();
      const rows = users.map((u) => [
        u.userId, u.isAdmin ? "yes" : "", u.deactivated ? "deactivated" : "active", u.displayname ?? "", u.appserviceId ?? "",
      ]);
      io.out(formatTable(["user", "admin", "status", "display name", "appservice"], rows));
      io.out(`${counted(users.length, "account")}\n`);
    });
    return 0;
  },
};

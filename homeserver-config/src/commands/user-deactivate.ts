// entente user deactivate --config FILE NAME
import { deactivateUser, resolveUserId } from "../admin-users.ts";
import { parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { withCouncilDatabase } from "../council-database.ts";

const USAGE = `Usage: entente user deactivate --config FILE NAME

Deactivates an account for good: no login, devices and pushers removed; the user id can never be
registered again (https://spec.matrix.org/v1.16/client-server-api/#account-management).
  --config FILE   the council's homeserver.yaml
  --help          show this help`;

export const userDeactivateCommand: Command = {
  name: "user deactivate",
  summary: "deactivate an account (irreversible)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("user deactivate", argv, { config: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    const [name = ""] = positionals("user deactivate", pos, ["NAME"]);
    const config = requireOption("user deactivate", values.config, "--config FILE");
    await withCouncilDatabase(config, io.env, async (c) => {
      const userId = resolveUserId("user deactivate", name, c.config.server.name);
      await deactivateUser(c, userId);
      io.out(`${userId} deactivated\n`);
    });
    return 0;
  },
};

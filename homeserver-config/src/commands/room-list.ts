// entente room list --config FILE
import { listRooms } from "../admin-queries.ts";
import { counted, formatTable, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { withCouncilDatabase } from "../council-database.ts";

const USAGE = `Usage: entente room list --config FILE

Lists the rooms the council's homeserver knows, with name, alias, room version and joined members.
  --config FILE   the council's homeserver.yaml
  --help          show this help`;

export const roomListCommand: Command = {
  name: "room list",
  summary: "list rooms",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("room list", argv, { config: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("room list", pos, []);
    const config = requireOption("room list", values.config, "--config FILE");
    await withCouncilDatabase(config, io.env, async (c) => {
      const rooms = await listRooms(c.db);
      io.out(formatTable(["room", "name", "alias", "version", "joined", "public", "created"], rooms.map((r) => [
        r.roomId, r.name ?? "", r.alias ?? "", r.version, String(r.joined), r.isPublic ? "yes" : "",
        new Date(r.createdTs).toISOString().slice(0, 16).replace("T", " "),
      ])));
      io.out(`${counted(rooms.length, "room")}\n`);
    });
    return 0;
  },
};

// entente federation status --config FILE
import { federationQueueStatus, type DestinationStatus } from "../admin-queries.ts";
import { counted, formatTable, parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { withCouncilDatabase } from "../council-database.ts";

const USAGE = `Usage: entente federation status --config FILE

Shows the outbound federation queue of the council's homeserver, per destination server: events
waiting, consecutive failures, when the next attempt is due (back-off) and the last success.
  --config FILE   the council's homeserver.yaml
  --help          show this help`;

const when = (ts: number | undefined): string => (ts === undefined || ts === 0 ? "" : new Date(ts).toISOString().slice(0, 19).replace("T", " "));

function row(d: DestinationStatus, now: number): string[] {
  const backOff = d.retryAt > now ? `until ${when(d.retryAt)}` : "";
  return [d.destination, String(d.queued), String(d.failures), backOff, when(d.lastSuccessTs) || "never", d.lastError ?? ""];
}

export const federationStatusCommand: Command = {
  name: "federation status",
  summary: "outbound federation queue per destination",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("federation status", argv, { config: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("federation status", pos, []);
    const config = requireOption("federation status", values.config, "--config FILE");
    await withCouncilDatabase(config, io.env, async (c) => {
      const status = await federationQueueStatus(c.db);
      if (status === undefined) {
        io.out("no federation queue yet (this homeserver version has no federation sender)\n");
        return;
      }
      const now = Date.now();
      io.out(formatTable(["destination", "queued", "failures", "back-off", "last success (UTC)", "last error"], status.map((d) => row(d, now))));
      io.out(`${counted(status.length, "destination")}\n`);
    });
    return 0;
  },
};

// entente start DIR: runs every council of a federation directory until Ctrl-C.
import { resolve } from "node:path";
import { parseCommandArgs, positionals, type Command } from "../cli-kit.ts";
import { startFederation } from "../start-federation.ts";

const USAGE = `Usage: entente start DIR

Runs every council of DIR (made by \`entente init\`) as its own homeserver process, waits until each
answers, creates the admin account (password in DIR/<council>/admin-password.txt) and the demo
accounts if they are missing, then prints the URLs and accounts. Each server's output goes to
DIR/<council>/homeserver.log. Beside each council: its calendar and tasks bots (logs
DIR/<council>/calendar-bot.log, tasks-bot.log; a bot that stops is reported, the council keeps
running) and its citizen sharing service (share.log). Also the web client (http://127.0.0.1:8080)
and the widgets (8081), else free ports, printed; ENTENTE_WEB=off serves neither. Ctrl-C (or
SIGTERM) stops everything; if a council dies, the others are stopped and its last log lines are
shown (exit code 1).
  --help   show this help`;

export const startCommand: Command = {
  name: "start",
  summary: "run every council of a federation directory (Ctrl-C stops)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("start", argv, { help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    const [dir = ""] = positionals("start", pos, ["DIR"]);
    return startFederation(resolve(dir), io);
  },
};

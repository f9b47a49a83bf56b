// entente demo [DIR]: what `npm start` runs. The first time, a federation of two councils with demo
// accounts; every time, the same federation started again (init keeps what exists).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseCommandArgs, positionals, type Command } from "../cli-kit.ts";
import { federationFilePath } from "../council-paths.ts";
import { initFederation } from "../init-federation.ts";
import { startFederation } from "../start-federation.ts";

export const DEMO_DIR = ".data/demo";
export const DEMO_COUNCILS = ["ville-a", "agglo-b"];

const USAGE = `Usage: entente demo [DIR]

Starts a demo federation of two councils, ${DEMO_COUNCILS.join(" and ")}, each with an admin and two
demo accounts (agent1, agent2), and a working group with tasks shared by both (seeded once).
The first run creates it in DIR (default ${DEMO_DIR}, relative to
the current directory) with \`entente init\`; later runs start it again with its data.
Same as: entente init DIR ${DEMO_COUNCILS.map((c) => `--council ${c}`).join(" ")} --demo-users 2 && entente start DIR
  --help   show this help`;

export const demoCommand: Command = {
  name: "demo",
  summary: `create (first time) and start a demo federation in ${DEMO_DIR} (npm start)`,
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("demo", argv, { help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    if (pos.length > 1) positionals("demo", pos, ["DIR"]);
    const dir = resolve(pos[0] ?? DEMO_DIR);
    if (!existsSync(federationFilePath(dir))) {
      io.out(`Creating the demo federation in ${dir} / création de la fédération de démonstration...\n`);
      initFederation({ dir, councils: DEMO_COUNCILS, demoUsers: 2 });
    }
    return startFederation(dir, io, { seedDemo: true });
  },
};

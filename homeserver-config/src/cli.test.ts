import assert from "node:assert/strict";
import { COMMANDS, main } from "./cli.ts";
import { counted, formatTable, type Io } from "./cli-kit.ts";

function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: "", stderr: "", env: {}, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe("entente command line", () => {
  it("lists every command in --help", async () => {
    const r = await run("--help");
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.ok(r.stdout.includes(c.name), c.name);
  });

  it("has --help on every command and group", async () => {
    for (const c of COMMANDS) {
      const r = await run(...c.name.split(" "), "--help");
      assert.equal(r.code, 0, c.name);
      assert.equal(r.stdout, c.usage + "\n");
    }
    for (const group of ["user", "room", "federation"]) {
      const r = await run(group, "--help");
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`entente ${group} `));
    }
  });

  const bad: [string[], RegExp][] = [
    [[], /missing command/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["user"], /missing subcommand/],
    [["user", "remove"], /unknown subcommand "remove"/],
    [["init"], /missing DIR/],
    [["init", "d"], /--council NAME/],
    [["init", "d", "--council", "Ville A"], /invalid council name "Ville A"/],
    [["init", "d", "--council", "a", "--council", "a"], /council "a" is given twice/],
    [["init", "d", "--council", "a", "--base-port", "eighty"], /--base-port must be an integer/],
    [["init", "d", "--bogus"], /Unknown option '--bogus'/],
    [["start"], /missing DIR/],
    [["start", "a", "b"], /unexpected argument "b"/],
    [["serve"], /--config FILE is required/],
    [["user", "add", "--config"], /argument missing/],
    [["user", "add", "--config", "x.yaml"], /missing NAME/],
    [["user", "list", "--config", "x.yaml", "extra"], /unexpected argument "extra"/],
  ];
  for (const [argv, message] of bad) {
    it(`exits 2 with one line for: entente ${argv.join(" ")}`, async () => {
      const r = await run(...argv);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split("\n").length, 2, "exactly one line");
    });
  }

  it("formats tables in aligned columns", () => {
    assert.equal(formatTable(["a", "bb"], [["xyz", "1"]]), "a    bb\n---  --\nxyz  1\n");
  });

  it("counts with the noun's plural, not « (s) »", () => {
    assert.deepEqual([counted(0, "room"), counted(1, "room"), counted(2, "room"), counted(3, "access", "accesses")], ["0 rooms", "1 room", "2 rooms", "3 accesses"]);
  });
});

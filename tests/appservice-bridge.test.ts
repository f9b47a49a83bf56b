// A bot built with matrix-appservice-bridge (the real library, through appservices/kit) against a
// council made by `entente init` and run by `entente serve`: the bot uses the "tasks" registration
// init wrote, as is (its url is http://127.0.0.1:<tasks port of the council>, a port of the free
// block the test gives init, so nothing is rewritten). Invite -> auto-join, message -> reply as a
// namespaced virtual user, and everything sent while the bot is stopped arrives after its restart,
// in order. Spec: https://spec.matrix.org/v1.16/application-service-api/#pushing-events
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WeakEvent } from "matrix-appservice-bridge";
import { startBridge, type BotEventHandler, type RunningBridge } from "../appservices/kit/src/start-bridge.ts";
import { call, enc, SyncFollower, type Session } from "./harness/client-api.ts";
import { entente, freePortBlock, isListening, spawnEntente, type RunningCli } from "./harness/entente-cli.ts";
import { waitFor } from "./harness/homeserver.ts";

const SERVER = "ville-a.localhost";
const BOT = `@entente-tasks:${SERVER}`;
/** In the registration's exclusive users namespace `@entente-tasks(_.*)?:ville-a.localhost`. */
const ECHO = `@entente-tasks_echo:${SERVER}`;

describe("appservice bot on matrix-appservice-bridge (entente init registration)", function () {
  this.timeout(120_000);
  let root: string;
  let dir: string;
  let base: number;
  let serve: RunningCli;
  let alice: Session;
  let sync: SyncFollower;
  let roomId: string;
  let bot: RunningBridge | undefined;
  /** What each bot instance's onEvent saw, one list per start. */
  const seen: WeakEvent[][] = [];
  const hs = (): string => `http://127.0.0.1:${base}`;

  const echoBot = (): BotEventHandler => {
    const mine: WeakEvent[] = [];
    seen.push(mine);
    return async (event, { bridge }) => {
      mine.push(event);
      if (event.type !== "m.room.message") return;
      await bridge.getIntent(ECHO).sendText(event.room_id, `echo: ${String(event.content["body"])}`);
    };
  };
  // logLevel "off": the library logs its normal fallbacks as errors (the virtual user's first
  // /join refused before the bot invites it; "User ID is in use" when it re-registers after a
  // restart). Use "error" or "debug" to investigate a failure.
  const startBot = (): Promise<RunningBridge> => startBridge({
    registrationPath: join(dir, "ville-a/appservices/tasks.yaml"),
    homeserverUrl: hs(), domain: SERVER, onEvent: echoBot(), logLevel: "off",
  });
  const send = (body: string, txn: string): Promise<unknown> =>
    call(hs(), alice, "PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`, { msgtype: "m.text", body });
  const messages = (events: WeakEvent[]): string[] => events.filter((e) => e.type === "m.room.message").map((e) => String(e.content["body"]));
  const echoes = (): string[] => (sync.timeline.get(roomId) ?? []).filter((e) => e.sender === ECHO && e.type === "m.room.message")
    .map((e) => String(e.content["body"]));
  const untilEchoes = (expected: string[]): Promise<true> => waitFor(`echoes ${expected.join(", ")}`, async () => {
    await sync.poll(200);
    return echoes().length >= expected.length ? true : undefined;
  });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "entente-as-bridge-"));
    dir = join(root, "fed");
    base = await freePortBlock(4);
    const init = entente(["init", dir, "--council", "ville-a", "--base-port", String(base)]);
    assert.equal(init.code, 0, init.stderr);
    // Short back-off so the restart test does not wait for the default 1 s doubling to 5 min.
    const config = join(dir, "ville-a/homeserver.yaml");
    const text = readFileSync(config, "utf8");
    assert.match(text, /^appservices:\n {2}registration_files:\n {4}- appservices\/tasks\.yaml$/m, "init references the registration");
    writeFileSync(config, text.replace(/^appservices:\n/m, "appservices:\n  retry_initial_ms: 50\n  retry_max_ms: 400\n"));
    serve = spawnEntente(["serve", "--config", config]);
    await serve.waitFor(/ready http:\/\/127\.0\.0\.1:\d+/);
    const add = entente(["user", "add", "--config", config, "alice", "--password-file", "-"], { input: "wonderland\n" });
    assert.equal(add.code, 0, add.stderr);
    const login = await call<{ user_id: string; access_token: string }>(hs(), undefined, "POST", "/_matrix/client/v3/login",
      { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: "wonderland" });
    alice = { userId: login.user_id, accessToken: login.access_token };
    sync = new SyncFollower(hs(), alice);
    await sync.poll();
  });

  after(async () => {
    await bot?.close().catch(() => undefined);
    serve.child.kill("SIGTERM");
    await serve.exit;
    rmSync(root, { recursive: true, force: true });
  });

  it("init wrote the tasks registration with the council's tasks port, where the bot listens", async () => {
    const reg = readFileSync(join(dir, "ville-a/appservices/tasks.yaml"), "utf8");
    assert.match(reg, new RegExp(`^url: http://127\\.0\\.0\\.1:${base + 2}$`, "m"));
    assert.match(reg, /^sender_localpart: entente-tasks$/m);
    assert.equal(await isListening(base + 2), false);
    bot = await startBot();
    assert.equal(bot.port, base + 2);
    assert.equal(bot.botUserId, BOT);
    assert.equal(await isListening(base + 2), true);
  });

  it("joins the room it is invited to, and onEvent sees the invite", async () => {
    roomId = (await call<{ room_id: string }>(hs(), alice, "POST", "/_matrix/client/v3/createRoom", { preset: "private_chat", name: "Tâches" })).room_id;
    await call(hs(), alice, "POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: BOT });
    const invite = await waitFor("the invite in onEvent", () => seen[0]?.find((e) => e.type === "m.room.member" && e.state_key === BOT));
    assert.equal(invite.room_id, roomId);
    assert.equal(invite.sender, alice.userId);
    assert.equal(invite.content["membership"], "invite");
    await waitFor("the bot joined", async () => {
      const r = await call<{ joined: Record<string, unknown> }>(hs(), alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
      return Object.hasOwn(r.joined, BOT) ? true : undefined;
    });
  });

  it("receives a message through a transaction and replies as a namespaced virtual user", async () => {
    await send("hello", "hello-1");
    await untilEchoes(["echo: hello"]);
    assert.deepEqual(echoes(), ["echo: hello"]);
    assert.deepEqual(messages(seen[0] ?? []), ["hello"], "the bridge does not echo the virtual user's own message back");
    const members = await call<{ joined: Record<string, unknown> }>(hs(), alice, "GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
    assert.ok(Object.hasOwn(members.joined, ECHO), "the virtual user was registered and joined by the library");
  });

  it("receives everything sent while it was stopped, in order, once it restarts", async () => {
    await bot?.close();
    bot = undefined;
    assert.equal(await isListening(base + 2), false, "the bot's HTTP listener is closed");
    // The council logs JSON lines on stderr.
    const mark = serve.errors().length;
    const logSince = (): string => serve.errors().slice(mark);
    const sent = ["un", "deux", "trois", "quatre", "cinq"];
    for (const [i, body] of sent.entries()) await send(body, `down-${i}`);
    // The homeserver tried, and failed, to push them (so they were really waiting in its queue).
    await waitFor("a failed push logged", () => /"msg":"appservice transaction failed"[^\n]*"appservice":"entente-tasks"/.test(logSince()) || undefined);
    bot = await startBot();
    await waitFor("the five messages", () => (messages(seen[1] ?? []).length >= sent.length ? true : undefined));
    assert.deepEqual(messages(seen[1] ?? []), sent, "all of them, in order, and nothing acknowledged before");
    await waitFor("the council logs the bot reachable", () => /"msg":"appservice reachable again"[^\n]*"appservice":"entente-tasks"/.test(logSince()) || undefined);
    await untilEchoes(["echo: hello", ...sent.map((b) => `echo: ${b}`)]);
    assert.deepEqual(echoes(), ["echo: hello", ...sent.map((b) => `echo: ${b}`)]);
  });
});

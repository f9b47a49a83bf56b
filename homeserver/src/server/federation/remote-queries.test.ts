import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { createLogger } from "../log.ts";
import { MISSING_PROFILE_TTL_MS, PROFILE_TTL_MS, RemoteQueries } from "./remote-queries.ts";
import { FederationError } from "./transport/federation-error.ts";

describe("RemoteQueries", () => {
  let now: number;
  let requests: { dest: string; method: string; path: string; body: unknown }[];
  let answer: (path: string) => unknown;
  const make = (): RemoteQueries => new RemoteQueries({
    client: {
      async request<T>(dest: string, method: string, path: string, body?: unknown, opts?: { parse?: (j: unknown) => T }): Promise<T> {
        requests.push({ dest, method, path, body });
        const a = answer(path);
        if (a instanceof Error) throw a;
        return opts?.parse ? opts.parse(a) : (a as T);
      },
    } as never,
    clock: { now: () => now }, log: createLogger("error", {}, () => undefined),
  });
  beforeEach(() => {
    now = 1_000_000;
    requests = [];
  });

  it("asks the user's server for the profile and caches it for 5 minutes", async () => {
    answer = () => ({ displayname: "Bob", avatar_url: "mxc://b.test/x" });
    const q = make();
    assert.deepEqual(await q.profile("@bob:b.test"), { displayname: "Bob", avatar_url: "mxc://b.test/x" });
    assert.deepEqual(requests.map((r) => [r.dest, r.path]), [["b.test", "/_matrix/federation/v1/query/profile?user_id=%40bob%3Ab.test"]]);
    await q.profile("@bob:b.test");
    now += PROFILE_TTL_MS - 1;
    await q.profile("@bob:b.test");
    assert.equal(requests.length, 1);
    now += 2;
    await q.profile("@bob:b.test");
    assert.equal(requests.length, 2);
    await q.profile("@bob:b.test", "displayname");
    assert.equal(requests[2]?.path, "/_matrix/federation/v1/query/profile?user_id=%40bob%3Ab.test&field=displayname");
  });

  it("404 for an unknown user (remembered for a minute), 502 when the server is unreachable", async () => {
    answer = () => new FederationError("b.test", "http", "Unknown user", { status: 404, errcode: "M_NOT_FOUND" });
    const q = make();
    const is = (status: number) => (e: unknown) => e instanceof MatrixError && e.status === status;
    await assert.rejects(q.profile("@nobody:b.test"), is(404));
    await assert.rejects(q.profile("@nobody:b.test"), is(404));
    assert.equal(requests.length, 1);
    now += MISSING_PROFILE_TTL_MS + 1;
    answer = () => new FederationError("b.test", "network", "ECONNREFUSED");
    await assert.rejects(q.profile("@nobody:b.test"), is(502));
    answer = () => new FederationError("c.test", "refused", "not allowed");
    await assert.rejects(q.profile("@x:c.test"), is(403));
  });

  it("resolves remote aliases and checks the answer's shape", async () => {
    answer = () => ({ room_id: "!r:b.test", servers: ["b.test", 7] });
    assert.deepEqual(await make().directory("#salle:b.test"), { room_id: "!r:b.test", servers: ["b.test"] });
    assert.equal(requests[0]?.path, "/_matrix/federation/v1/query/directory?room_alias=%23salle%3Ab.test");
    answer = () => ({ servers: [] });
    await assert.rejects(make().directory("#salle:b.test"), (e: unknown) => e instanceof MatrixError && e.status === 502);
    answer = () => new FederationError("b.test", "http", "nope", { status: 404, errcode: "M_NOT_FOUND" });
    await assert.rejects(make().directory("#none:b.test"), (e: unknown) => e instanceof MatrixError && e.status === 404);
  });

  it("lists a remote directory with GET, or POST when there is a filter", async () => {
    answer = () => ({ chunk: [{ room_id: "!r:b.test", num_joined_members: 2 }], next_batch: "p1", total_room_count_estimate: 3 });
    const q = make();
    const got = await q.publicRooms("b.test", { limit: 1, since: "p0" });
    assert.deepEqual(got, { chunk: [{ room_id: "!r:b.test", num_joined_members: 2 }], next_batch: "p1", total_room_count_estimate: 3 });
    assert.deepEqual(requests[0], { dest: "b.test", method: "GET", path: "/_matrix/federation/v1/publicRooms?limit=1&since=p0", body: undefined });
    await q.publicRooms("b.test", { limit: 5, filter: { generic_search_term: "x" } });
    assert.deepEqual(requests[1], { dest: "b.test", method: "POST", path: "/_matrix/federation/v1/publicRooms", body: { limit: 5, filter: { generic_search_term: "x" } } });
  });
});

import assert from "node:assert/strict";
import { AppserviceClient } from "./appservice-client.ts";
import { parseRegistration, type AppserviceRegistration } from "./registration.ts";

const reg = ((): AppserviceRegistration => {
  const r = parseRegistration({ id: "b", url: "http://as.local:9/base/", as_token: "a", hs_token: "secret-hs", sender_localpart: "bot", namespaces: {} }, "b.yaml", "hs");
  assert.ok(r.ok);
  return r.value;
})();

type FetchArgs = { url: string; init: RequestInit | undefined };

function fakeFetch(answer: (a: FetchArgs) => Promise<Response>): { fetch: typeof fetch; calls: FetchArgs[] } {
  const calls: FetchArgs[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const a = { url: String(input), init };
    calls.push(a);
    return answer(a);
  }) as typeof fetch;
  return { fetch: f, calls };
}

describe("AppserviceClient", () => {
  it("sends transactions under /_matrix/app/v1 with the hs_token as a Bearer header", async () => {
    const { fetch, calls } = fakeFetch(async () => new Response("{}", { status: 200 }));
    const r = await new AppserviceClient({ timeoutMs: 1000, fetch }).putTransaction(reg, "7", { events: [] });
    assert.ok(r.ok);
    assert.equal(calls[0]?.url, "http://as.local:9/base/_matrix/app/v1/transactions/7");
    assert.equal(calls[0]?.init?.method, "PUT");
    assert.equal((calls[0]?.init?.headers as Record<string, string>)["Authorization"], "Bearer secret-hs");
    assert.equal(calls[0]?.init?.body, JSON.stringify({ events: [] }));
    await new AppserviceClient({ timeoutMs: 1000, fetch }).queryAlias(reg, "#a/b:hs");
    assert.equal(calls[1]?.url, "http://as.local:9/base/_matrix/app/v1/rooms/%23a%2Fb%3Ahs");
  });

  it("tells a bad status, a refused connection and a timeout apart, without the token in the detail", async () => {
    const status = await new AppserviceClient({ timeoutMs: 1000, fetch: fakeFetch(async () => new Response('{"errcode":"X"}', { status: 403 })).fetch }).ping(reg, "t");
    assert.deepEqual({ ...status, durationMs: 0 }, { ok: false, reason: "status", status: 403, body: '{"errcode":"X"}', durationMs: 0 });
    const refused = await new AppserviceClient({ timeoutMs: 1000, fetch: fakeFetch(async () => {
      throw new TypeError("fetch failed Bearer secret-hs", { cause: { code: "ECONNREFUSED" } });
    }).fetch }).ping(reg, undefined);
    assert.ok(!refused.ok && refused.reason === "connection" && refused.detail === "ECONNREFUSED");
    const hang = fakeFetch((a) => new Promise((_resolve, reject) => a.init?.signal?.addEventListener("abort", () => reject(a.init?.signal?.reason))));
    const timedOut = await new AppserviceClient({ timeoutMs: 20, fetch: hang.fetch }).ping(reg, undefined);
    assert.ok(!timedOut.ok && timedOut.reason === "timeout");
  });
});

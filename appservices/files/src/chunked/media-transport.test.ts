import { strict as assert } from "node:assert";
import { fetchTransport, MediaHttpError } from "./media-transport.ts";
import { blobWeight } from "./blob-weight.ts";

const MXC = "mxc://example.org/abc";
const BODY = new TextEncoder().encode("0123456789");

/** A fake fetch answering the download path: `ranges` says whether it honours Range (206) or sends the whole body (200). */
function fakeFetch(o: { ranges: boolean; contentRange?: string }) {
  const asked: (string | null)[] = [];
  const f = (async (_url: string | URL | Request, init?: RequestInit) => {
    const range = new Headers(init?.headers).get("range");
    asked.push(range);
    const from = range === null ? 0 : Number(/^bytes=(\d+)-$/.exec(range)?.[1]);
    if (range !== null && o.ranges) {
      return new Response(BODY.slice(from), { status: 206, headers: { "Content-Range": o.contentRange ?? `bytes ${from}-${BODY.length - 1}/${BODY.length}` } });
    }
    return new Response(BODY.slice(), { status: 200 });
  }) as typeof fetch;
  return { f, asked };
}

const text = async (b: Blob): Promise<string> => new TextDecoder().decode(await b.arrayBuffer());

describe("fetchTransport getBlob (browsers' held downloads)", () => {
  it("is offered only with blobBodies", () => {
    const { f } = fakeFetch({ ranges: true });
    assert.equal(fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: f }).getBlob, undefined);
    assert.equal(typeof fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: f, blobBodies: true }).getBlob, "function");
  });

  it("from byte 0: no Range header, the whole body", async () => {
    const { f, asked } = fakeFetch({ ranges: true });
    const t = fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: f, blobBodies: true });
    assert.equal(await text(await t.getBlob!(MXC, 0)), "0123456789");
    assert.deepEqual(asked, [null]);
  });

  it("weighs each Blob at its size for the JS engine (its bytes live outside the heap: see blob-weight.ts)", async () => {
    for (const ranges of [true, false]) {
      const t = fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: fakeFetch({ ranges }).f, blobBodies: true });
      assert.equal(blobWeight(await t.getBlob!(MXC, 0)), 10);
      assert.equal(blobWeight(await t.getBlob!(MXC, 4)), 6, `ranges ${ranges}`);
    }
  });

  it("downloads ask the browser not to keep the body in its HTTP cache (cache: no-store; a part is read once)", async () => {
    const modes: (RequestInit["cache"] | undefined)[] = [];
    const f = (async (_url: string | URL | Request, init?: RequestInit) => {
      modes.push(init?.cache);
      return new Response(BODY.slice(), { status: 200 });
    }) as typeof fetch;
    const t = fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: f, blobBodies: true });
    await t.getBlob!(MXC, 0);
    await t.getBlob!(MXC, 4);
    await (await t.get(MXC)).cancel();
    await (await t.getFrom!(MXC, 4)).cancel();
    assert.deepEqual(modes, ["no-store", "no-store", "no-store", "no-store"], "getBlob (from 0, from 4), get, getFrom");
  });

  it("from byte N: a Range request; a server that answers 200 with the whole body is sliced", async () => {
    for (const ranges of [true, false]) {
      const { f, asked } = fakeFetch({ ranges });
      const t = fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: f, blobBodies: true });
      assert.equal(await text(await t.getBlob!(MXC, 4)), "456789", `ranges ${ranges}`);
      assert.deepEqual(asked, ["bytes=4-"]);
    }
  });

  it("a 206 starting elsewhere is refused", async () => {
    const { f } = fakeFetch({ ranges: true, contentRange: "bytes 0-9/10" });
    const t = fetchTransport({ baseUrl: "http://hs", accessToken: "t", fetch: f, blobBodies: true });
    await assert.rejects(t.getBlob!(MXC, 4), (e: unknown) => e instanceof MediaHttpError && /asked from byte 4/.test(e.message));
  });
});

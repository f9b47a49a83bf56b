// parseRequestTarget answers what new URL(target, "http://localhost") answers, for plain targets
// (the short way) and for every kind the URL parser rewrites (the long way).
import assert from "node:assert/strict";
import { parseRequestTarget } from "./request-target.ts";

/** Path and query pairs, or "invalid" when the parser refuses the target (a 400 in http-server.ts). */
const parsed = (parse: () => { pathname: string; searchParams: URLSearchParams }): [string, [string, string][]] | "invalid" => {
  try {
    const r = parse();
    return [r.pathname, [...r.searchParams]];
  } catch {
    return "invalid";
  }
};
const viaUrl = (t: string): ReturnType<typeof parsed> => parsed(() => new URL(t, "http://localhost"));
const viaTarget = (t: string): ReturnType<typeof parsed> => parsed(() => parseRequestTarget(t));

describe("parseRequestTarget", () => {
  it("answers as the URL parser on plain and rewritten targets", () => {
    const targets = [
      "/", "/_matrix/client/v3/sync", "/_matrix/client/v3/sync?timeout=10000&since=s1_2_3",
      "/_matrix/client/v3/rooms/!r%3Aville-a.test/send/m.room.message/m1.2?x=1&x=2",
      "/a?b=c+d&e=%20f&g=%zz&h", "/a?=x&&y=", "/a?q='quoted'", "/a?", "/a%2Fb", "/a%2", "/%",
      // rewritten by the parser: dot segments (also encoded), backslashes, "//host", fragments,
      // spaces, quotes, braces, tabs and newlines, non-ASCII, an empty or relative target
      "/a/./b", "/a/../b", "/a/b/..", "/a/%2e%2E/b", "/a/.%2e/b", "/.well-known/matrix/server", "/a/.hidden",
      "/a\\b", "\\a", "//evil.test/x", "///x", "/a#frag", "/a?b=1#frag", "/a b?c d", '/a"b', "/a<b>", "/a`b", "/a{b}",
      "/a\tb", "/a\nb?c\r=d", "/é?é=è", "/a?b=é", "", "a/b", "?x=1", " /a", "/a ", "//", "/\\",
    ];
    for (const t of targets) assert.deepEqual(viaTarget(t), viaUrl(t), JSON.stringify(t));
  });

  it("answers as the URL parser on random targets made of the characters that matter", () => {
    const alphabet = ["/", ".", "%", "2", "e", "E", "?", "#", "\\", " ", "a", "+", "=", "&", "'", "é", "\t", "%2e", "%2F"];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 5000; i++) {
      let t = "/";
      for (let n = next() % 12; n > 0; n--) t += alphabet[next() % alphabet.length];
      assert.deepEqual(viaTarget(t), viaUrl(t), JSON.stringify(t));
    }
  });
});

// roomLocks over a matrix-js-sdk room (faked: the state events and the members the client knows).
// Members are lazy-loaded in the client, so a lock's holder may have no member event loaded yet: the
// lock stays shown; a holder known to have left or been banned holds none.
import { strict as assert } from "node:assert";
import type { MatrixClient } from "matrix-js-sdk";
import { roomLocks } from "./dossier-locks-sdk.ts";
import { buildFileLock, FILE_LOCK_STATE } from "./protocol.ts";

const NOW = Date.UTC(2026, 11, 7, 10);

function clientWith(holders: Record<string, string>, members: Record<string, string>): MatrixClient {
  const events = Object.entries(holders).map(([entry, holder]) => ({
    getStateKey: () => entry, getSender: () => holder, getContent: () => buildFileLock(holder, NOW + 3_600_000),
  }));
  const room = {
    currentState: { getStateEvents: (type: string) => (type === FILE_LOCK_STATE ? events : []) },
    getMember: (userId: string) => (members[userId] === undefined ? null : { membership: members[userId] }),
  };
  return { getRoom: () => room } as unknown as MatrixClient;
}

describe("dossier locks over matrix-js-sdk: who still holds one", () => {
  it("keeps the lock of a holder whose member event is not loaded (lazy members), drops those who left or were banned", () => {
    const client = clientWith({ $a: "@alice:a", $b: "@bob:b", $c: "@carol:a", $d: "@dan:b" }, { "@bob:b": "join", "@carol:a": "leave", "@dan:b": "ban" });
    assert.deepEqual([...roomLocks(client, "!d:a", NOW).keys()].sort(), ["$a", "$b"]);
  });
});

import assert from "node:assert/strict";
import { activeLocks, isLockDuration, lockExpiry, untilNextExpiry } from "./file-locks.ts";
import { dossierPowerLevelEvents } from "./protocol.ts";

const NOW = Date.UTC(2026, 11, 7, 14, 0);
const lock = (holder: string, expiresAt: number): Record<string, unknown> => ({ version: 1, holder, expires_at: expiresAt });

describe("client core: dossier file locks", () => {
  it("keeps the locks active now, set by their holder", () => {
    const locks = activeLocks([
      { stateKey: "$a", sender: "@alice:a", content: lock("@alice:a", NOW + 1000) },
      { stateKey: "$b", sender: "@bob:b", content: lock("@alice:a", NOW + 1000) }, // names someone else: ignored
      { stateKey: "$c", sender: "@alice:a", content: lock("@alice:a", NOW) }, // ends now: over
      { stateKey: "$d", sender: "@alice:a", content: {} }, // released
      { stateKey: "$e", sender: "@alice:a", content: { ...lock("@alice:a", NOW + 1000), version: 2 } },
    ], NOW);
    assert.deepEqual([...locks], [["$a", { holder: "@alice:a", expiresAt: NOW + 1000 }]]);
  });

  it("ends the lock of a holder who is no longer a member of the dossier", () => {
    const states = [
      { stateKey: "$a", sender: "@alice:a", content: lock("@alice:a", NOW + 1000) },
      { stateKey: "$b", sender: "@bob:b", content: lock("@bob:b", NOW + 1000) },
    ];
    assert.deepEqual([...activeLocks(states, NOW, (u) => u !== "@alice:a").keys()], ["$b"]);
    assert.deepEqual([...activeLocks(states, NOW).keys()], ["$a", "$b"], "membership unknown: by time alone");
  });

  it("says when the next lock ends, for the view's timer", () => {
    assert.equal(untilNextExpiry([], NOW), undefined);
    assert.equal(untilNextExpiry([{ holder: "@a:a", expiresAt: NOW + 5000 }, { holder: "@b:b", expiresAt: NOW + 2000 }], NOW), 2000);
    assert.equal(untilNextExpiry([{ holder: "@a:a", expiresAt: NOW - 5 }], NOW), 0);
  });

  it("gives each duration's end", () => {
    assert.equal(lockExpiry("1h", NOW), NOW + 3_600_000);
    assert.equal(lockExpiry("4h", NOW), NOW + 4 * 3_600_000);
    assert.equal(lockExpiry("24h", NOW), NOW + 24 * 3_600_000);
    assert.ok(isLockDuration("4h"));
    assert.ok(!isLockDuration("2h"));
  });

  it("creates dossiers where members may lock, the other defaults kept", () => {
    const events = dossierPowerLevelEvents();
    assert.equal(events["fr.entente.file.lock"], 0);
    assert.equal(events["m.room.power_levels"], 100);
    assert.equal(events["m.room.encryption"], 100);
  });
});

// The SDK feed of browser notifications with real matrix-js-sdk MatrixEvents and their real
// decryption loop; faked: the client (push rules reduced to m.mentions) and the crypto backend (a
// Megolm key that is missing, then arrives), so the key can come after the event as it does over
// federation (the room key is a to-device message, the event a timeline one).
import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { MatrixEvent, MatrixEventEvent, RoomEvent, type IEventDecryptionResult, type Room } from "matrix-js-sdk";
import type { CryptoBackend } from "matrix-js-sdk/lib/common-crypto/CryptoBackend.js";
import { SdkNotifications, type NotificationsClient } from "./browser-notifications-sdk.ts";
import { MAX_AGE_MS, type BrowserNotice } from "./notify-model.ts";

const ME = "@bob:b";
const ROOM = "!chiffre:a";

/** A Megolm session whose key Bob does not have until `arrive()`. */
function megolmKey(clear: Record<string, unknown>): { crypto: CryptoBackend; arrive(): void } {
  let here = false;
  const crypto = {
    decryptEvent: async (): Promise<IEventDecryptionResult> => {
      if (!here) throw new Error("MEGOLM_UNKNOWN_INBOUND_SESSION_ID");
      return { clearEvent: { type: "m.room.message", content: clear } };
    },
  } as unknown as CryptoBackend;
  return { crypto, arrive: () => { here = true; } };
}

let n = 0;
const encrypted = (ageMs = 0): MatrixEvent => new MatrixEvent({
  type: "m.room.encrypted", event_id: `$e${++n}`, room_id: ROOM, sender: "@alice:a", origin_server_ts: Date.now() - ageMs, unsigned: { age: ageMs },
  content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…", session_id: "s", sender_key: "k", device_id: "D" },
});

const mention = { msgtype: "m.text", body: "bob le devis chiffré est prêt", "m.mentions": { user_ids: [ME] } };

function feed(): { timeline(e: MatrixEvent): void; shown: BrowserNotice[]; notifications: SdkNotifications } {
  const client = new EventEmitter();
  const fake = Object.assign(client, {
    getSafeUserId: () => ME,
    // The push rules' mention rule, on the clear content (null when not decrypted).
    getPushActionsForEvent: (e: MatrixEvent) => {
      const m = e.getClearContent()?.["m.mentions"] as { user_ids?: string[] } | undefined;
      return { notify: true, tweaks: { highlight: m?.user_ids?.includes(ME) === true } };
    },
  }) as unknown as NotificationsClient;
  const room = { roomId: ROOM, name: "Dossier chiffré", getMember: () => ({ name: "alice" }), loadMembersIfNeeded: async () => true } as unknown as Room;
  const shown: BrowserNotice[] = [];
  const notifications = new SdkNotifications(fake, () => false);
  notifications.setSink({ show: (b) => { shown.push(b); }, roomOnScreen: () => false, words: { image: "image", file: "fichier" } });
  return {
    shown,
    notifications,
    timeline: (e) => { client.emit(RoomEvent.Timeline, e, room, false, false, { liveEvent: true }); },
  };
}

/** Lets the feed's promise chain (sender's name, then show) run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("client browser notifications fed by matrix-js-sdk: encrypted mentions whose key comes late", () => {
  it("rings for a mention that failed to decrypt when it arrived, once its key comes", async () => {
    const f = feed();
    const key = megolmKey(mention);
    const event = encrypted();
    await event.attemptDecryption(key.crypto);
    assert.equal(event.isDecryptionFailure(), true);
    f.timeline(event);
    await settle();
    assert.equal(f.shown.length, 0, "nothing to show without the key");
    key.arrive();
    await event.attemptDecryption(key.crypto, { isRetry: true });
    await settle();
    assert.deepEqual(f.shown, [{ roomId: ROOM, eventId: event.getId(), title: "Dossier chiffré", body: "alice : bob le devis chiffré est prêt" }]);
  });

  it("rings when the key comes after a first attempt that was still running when the event arrived", async () => {
    const f = feed();
    const key = megolmKey(mention);
    const event = encrypted();
    const first = event.attemptDecryption(key.crypto);
    assert.equal(event.isBeingDecrypted(), true);
    f.timeline(event);
    await first;
    await settle();
    assert.equal(f.shown.length, 0, "the first attempt failed");
    key.arrive();
    await event.attemptDecryption(key.crypto, { isRetry: true });
    await settle();
    assert.deepEqual(f.shown.map((b) => b.eventId), [event.getId()], "rings once, after the key");
  });

  it("stays quiet when the late message is no mention, or its key came after it was old news", async () => {
    const f = feed();
    const plain = megolmKey({ msgtype: "m.text", body: "Rien de spécial" });
    const ordinary = encrypted();
    await ordinary.attemptDecryption(plain.crypto);
    f.timeline(ordinary);
    plain.arrive();
    await ordinary.attemptDecryption(plain.crypto, { isRetry: true });
    const key = megolmKey(mention);
    const late = encrypted(MAX_AGE_MS - 50);
    await late.attemptDecryption(key.crypto);
    f.timeline(late);
    // The key comes once the message is older than MAX_AGE_MS (its local timestamp moved back).
    late.localTimestamp -= 100;
    key.arrive();
    await late.attemptDecryption(key.crypto, { isRetry: true });
    await settle();
    assert.deepEqual(f.shown, []);
  });

  it("lets go of a message whose key never comes once it is too old to ring (no attempt needed)", async () => {
    const f = feed();
    const key = megolmKey(mention);
    const event = encrypted(MAX_AGE_MS - 30);
    await event.attemptDecryption(key.crypto);
    f.timeline(event);
    assert.equal(f.notifications.waitingForKeys, 1);
    assert.equal(event.listenerCount(MatrixEventEvent.Decrypted), 1);
    while (f.notifications.waitingForKeys > 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(event.listenerCount(MatrixEventEvent.Decrypted), 0, "its listener removed");
    key.arrive();
    await event.attemptDecryption(key.crypto, { isRetry: true });
    await settle();
    assert.deepEqual(f.shown, [], "too old to ring");
  });
});

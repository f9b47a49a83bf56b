// matrix-js-sdk's console in the web client: warnings and errors only (its debug chatter is for a
// developer's build, `npm run dev`), and without the warnings that are expected with how this
// client uses the SDK, so real warnings stand out. The wrapping itself is the bots' one
// (appservices/kit/src/loglevel-quiet.ts). Each expected message says why it is harmless:
//
// « Couldn't find timeline for thread ID $root in room !room »: the client draws threads itself
// (thread-model.ts) and starts the SDK without `threadSupport`, so the SDK keeps no Thread
// objects. Yet for every live event of mine that is an m.thread reply (a thread reply in the chat,
// a dossier's share notice in its file's thread, share-service.ts), the SDK synthesizes my read
// receipt with that thread's id (Room.addLiveEvent → synthesizeReceipt) and, in an encrypted room,
// looks for the thread's timeline to recount notifications (Room.clearNotificationsOnReceipt):
// none, hence the warning. Nothing is lost: unread counts come from the server's counts.
//
// « Adding default global override push rule .org.matrix.msc3786.rule.room.server_acl » and
// « … underride push rule .org.matrix.msc3914.rule.room.call »: the SDK expects, besides the
// spec's predefined rules (our homeserver sends exactly those, stable ids: .m.rule.room.server_acl
// is MSC3786 merged in spec v1.4), the development id of MSC3786 and MSC3914's rule for group calls
// (an unstable MSC the spec does not have), and adds its own copy of each, locally. The server
// must not invent unstable rules to silence a client; nothing is lost (ACL changes stay silent,
// and this client has no group calls).
import { isExpected, quietLoglevel, type LoglevelLike } from "../../../appservices/kit/src/loglevel-quiet.ts";

export type { LoglevelLike };

/** Messages of the SDK's logger that are expected here (see above). */
const EXPECTED: readonly RegExp[] = [
  /^Couldn't find timeline for thread ID \S+ in room \S+$/,
  /^Adding default global (override|underride) push rule \.org\.matrix\.msc(3786|3914)\.rule\.room\.(server_acl|call)$/,
];

/** Whether a call of the SDK's logger with `args` is expected noise (the first argument is the message). */
export const isExpectedSdkNoise = (args: readonly unknown[]): boolean => isExpected(args, EXPECTED);

/** Warn and error only (every level in a developer's build), expected noise dropped. */
export function quietSdkConsole(logger: LoglevelLike, developerBuild: boolean): void {
  quietLoglevel(logger, { keepChatter: developerBuild, expected: EXPECTED });
}

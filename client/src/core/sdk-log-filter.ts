// matrix-js-sdk warnings that are expected with how this client uses the SDK, kept out of the
// console so real warnings stand out. Each entry says why it is harmless.
//
// « Couldn't find timeline for thread ID $root in room !room »: the client draws threads itself
// (thread-model.ts) and starts the SDK without `threadSupport`, so the SDK keeps no Thread
// objects. Yet for every live event of mine that is an m.thread reply (a thread reply in the chat,
// a dossier's share notice in its file's thread, share-service.ts), the SDK synthesizes my read
// receipt with that thread's id (Room.addLiveEvent → synthesizeReceipt) and, in an encrypted room,
// looks for the thread's timeline to recount notifications (Room.clearNotificationsOnReceipt):
// none, hence the warning. Nothing is lost: unread counts come from the server's counts.

/** Messages of the SDK's logger that are expected here (see above). */
const EXPECTED: readonly RegExp[] = [/^Couldn't find timeline for thread ID \S+ in room \S+$/];

/** Whether a call of the SDK's logger with `args` is expected noise (the first argument is the message). */
export function isExpectedSdkNoise(args: readonly unknown[]): boolean {
  const first = args[0];
  return typeof first === "string" && EXPECTED.some((re) => re.test(first));
}

/** The part of a loglevel logger (the SDK's `logger`) this needs. */
export interface LoglevelLike {
  methodFactory: (methodName: string, level: number, loggerName: string | symbol) => (...args: unknown[]) => void;
  rebuild(): void;
}

/** Wraps the logger's methods so expected noise is dropped; everything else goes through unchanged. */
export function quietExpectedSdkNoise(logger: LoglevelLike): void {
  const make = logger.methodFactory;
  logger.methodFactory = (methodName, level, loggerName) => {
    const raw = make(methodName, level, loggerName);
    return function (this: unknown, ...args: unknown[]): void {
      if (!isExpectedSdkNoise(args)) raw.apply(this, args);
    };
  };
  logger.rebuild();
}

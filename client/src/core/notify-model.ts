// Browser notifications (optional, off by default): which new messages deserve one, and its text.
// Pure: browser-notifications-sdk.ts gathers the facts (push actions evaluated on the server's push
// rules, by the SDK after decryption), the UI shows the Notification.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-rules (actions: notify, highlight tweak)

export interface NotifyFacts {
  sender: string;
  me: string;
  /** A direct message room (m.direct or is_direct). */
  isDirect: boolean;
  /** The push rules' actions for this event: "notify", and the highlight tweak (a mention). */
  notify: boolean;
  highlight: boolean;
  /** Encrypted and not decrypted: nothing to show, and the push rules could not see the mention. */
  undecryptable: boolean;
  /** The room is open and the page visible: the agent already sees the message. */
  roomOnScreen: boolean;
  /** How old the event is: a sync catching up after a night offline does not ring for old news. */
  ageMs: number;
}

export const MAX_AGE_MS = 120_000;

/** Mentions and direct messages of other senders, not on screen, recent, allowed by the push rules. */
export function shouldNotify(f: NotifyFacts): boolean {
  if (f.sender === f.me || f.undecryptable || f.roomOnScreen || f.ageMs > MAX_AGE_MS) return false;
  if (!f.notify && !f.highlight) return false;
  return f.highlight || f.isDirect;
}

/**
 * What to do with a live message now. An encrypted one whose Megolm key has not arrived yet (the
 * room key is a to-device message that may come after the event, or be fetched from the key
 * backup) is neither shown nor dropped: it waits for its key, and is judged again, as a fresh
 * message, once decrypted (still only if recent). Element does the same: the push rules run on the
 * decrypted content, whenever it decrypts.
 */
export type NotifyVerdict = "notify" | "skip" | "await-key";

export function notifyVerdict(f: NotifyFacts): NotifyVerdict {
  if (f.undecryptable) return f.sender !== f.me && f.ageMs <= MAX_AGE_MS ? "await-key" : "skip";
  return shouldNotify(f) ? "notify" : "skip";
}

export interface BrowserNotice { roomId: string; eventId: string; title: string; body: string }

const MAX_BODY = 180;

/** Title = the room; body = "sender : text" (files and images by their kind), kept short. */
export function noticeText(roomName: string, senderName: string, content: Record<string, unknown>, words: { image: string; file: string }): { title: string; body: string } {
  const msgtype = content["msgtype"];
  const body = typeof content["body"] === "string" ? content["body"] : "";
  const text = msgtype === "m.image" ? words.image : msgtype === "m.file" || msgtype === "m.video" || msgtype === "m.audio" ? words.file : body;
  const line = `${senderName} : ${text.replace(/\s+/g, " ").trim()}`;
  return { title: roomName, body: line.length > MAX_BODY ? `${line.slice(0, MAX_BODY - 1)}…` : line };
}

/** What the UI gives the session: where to show notices, and what is on screen. */
export interface NotificationSink {
  show(n: BrowserNotice): void;
  roomOnScreen(roomId: string): boolean;
  /** "image", "fichier": a notice for a file says what it is, in the agent's language. */
  words: { image: string; file: string };
}

export interface NotificationsPort {
  /** Starts (a sink) or stops (undefined) browser notifications for this session. */
  setSink(sink: NotificationSink | undefined): void;
}

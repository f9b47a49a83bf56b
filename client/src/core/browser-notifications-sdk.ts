// Feeds notify-model.ts from matrix-js-sdk: new live messages (after decryption for encrypted
// ones), with the push actions the SDK evaluates on the agent's push rules (the server's rules,
// re-evaluated on the decrypted content, which the server could not read). An encrypted message
// whose room key comes later (to-device after the event, or from the key backup) waits for it: the
// SDK emits Event.decrypted once per attempt, the first one often a failure, so the feed listens
// until an attempt succeeds, then judges the message as if it had just arrived.
import { MatrixEventEvent, RoomEvent, type IRoomTimelineData, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import { MAX_AGE_MS, noticeText, notifyVerdict, type NotificationSink, type NotificationsPort } from "./notify-model.ts";

/** The SDK calls the feed uses; a MatrixClient has them all. */
export type NotificationsClient = Pick<MatrixClient, "on" | "getPushActionsForEvent" | "getSafeUserId">;

/** Not readable yet: being decrypted, not tried, or failed (no key yet). */
const notDecrypted = (event: MatrixEvent): boolean =>
  event.isBeingDecrypted() || event.shouldAttemptDecryption() || event.isDecryptionFailure() || event.getType() === "m.room.encrypted";

export class SdkNotifications implements NotificationsPort {
  private sink: NotificationSink | undefined;
  private readonly client: NotificationsClient;
  private readonly isDirect: (roomId: string) => boolean;
  /** Live encrypted messages waiting for their key, by event id (each has one Decrypted listener). */
  private readonly awaitingKey = new Set<string>();

  constructor(client: NotificationsClient, isDirect: (roomId: string) => boolean) {
    this.client = client;
    this.isDirect = isDirect;
    client.on(RoomEvent.Timeline, (event: MatrixEvent, room: Room | undefined, toStart: boolean | undefined, _removed: boolean, data: IRoomTimelineData) => {
      if (this.sink === undefined || toStart === true || !data.liveEvent || room === undefined) return;
      this.consider(event, room);
    });
  }

  setSink(sink: NotificationSink | undefined): void {
    this.sink = sink;
  }

  /** Members are lazy-loaded: without the sender's member event yet, the room's members are fetched once. */
  private async senderName(room: Room, event: MatrixEvent, sender: string): Promise<string> {
    const known = (): string | undefined => {
      const name = event.sender?.name ?? room.getMember(sender)?.name;
      return name !== undefined && name !== sender ? name : undefined;
    };
    if (known() === undefined) await room.loadMembersIfNeeded().catch(() => undefined);
    return known() ?? room.getMember(sender)?.name ?? sender;
  }

  private consider(event: MatrixEvent, room: Room): void {
    const sink = this.sink;
    const eventId = event.getId();
    const sender = event.getSender();
    if (sink === undefined || eventId === undefined || sender === undefined) return;
    const undecryptable = notDecrypted(event);
    if (!undecryptable && event.getType() !== "m.room.message") return;
    if (!undecryptable && event.getRelation()?.rel_type === "m.replace") return;
    const actions = undecryptable ? null : this.client.getPushActionsForEvent(event, true);
    const facts = {
      sender, me: this.client.getSafeUserId(), isDirect: this.isDirect(room.roomId),
      notify: actions?.notify === true, highlight: actions?.tweaks.highlight === true, undecryptable,
      roomOnScreen: sink.roomOnScreen(room.roomId), ageMs: Date.now() - event.localTimestamp,
    };
    const verdict = notifyVerdict(facts);
    if (verdict === "await-key") this.awaitKey(event, eventId, room);
    if (verdict !== "notify") return;
    void this.senderName(room, event, sender).then((name) => {
      sink.show({ roomId: room.roomId, eventId, ...noticeText(room.name, name, event.getContent(), sink.words) });
    });
  }

  /**
   * Judges the message again after the first attempt that decrypts it; gives up once it is too old
   * to ring, also when no attempt comes at all (a key that never arrives: the listener and the entry
   * go when the message turns too old, not at the next attempt).
   */
  private awaitKey(event: MatrixEvent, eventId: string, room: Room): void {
    if (this.awaitingKey.has(eventId)) return;
    this.awaitingKey.add(eventId);
    const stop = (): void => {
      clearTimeout(giveUp);
      event.off(MatrixEventEvent.Decrypted, onDecrypted);
      this.awaitingKey.delete(eventId);
    };
    const onDecrypted = (): void => {
      const tooOld = Date.now() - event.localTimestamp > MAX_AGE_MS;
      if (notDecrypted(event) && !tooOld) return;
      stop();
      if (!tooOld) this.consider(event, room);
    };
    const giveUp = setTimeout(stop, Math.max(0, MAX_AGE_MS - (Date.now() - event.localTimestamp)) + 1);
    event.on(MatrixEventEvent.Decrypted, onDecrypted);
  }

  /** Messages still waiting for their key (tests). */
  get waitingForKeys(): number {
    return this.awaitingKey.size;
  }
}

// Feeds notify-model.ts from matrix-js-sdk: new live messages (after decryption for encrypted
// ones), with the push actions the SDK evaluates on the agent's push rules (the server's rules,
// re-evaluated on the decrypted content, which the server could not read).
import { MatrixEventEvent, RoomEvent, type IRoomTimelineData, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import { noticeText, shouldNotify, type NotificationSink, type NotificationsPort } from "./notify-model.ts";

export class SdkNotifications implements NotificationsPort {
  private sink: NotificationSink | undefined;
  private readonly client: MatrixClient;
  private readonly isDirect: (roomId: string) => boolean;

  constructor(client: MatrixClient, isDirect: (roomId: string) => boolean) {
    this.client = client;
    this.isDirect = isDirect;
    client.on(RoomEvent.Timeline, (event: MatrixEvent, room: Room | undefined, toStart: boolean | undefined, _removed: boolean, data: IRoomTimelineData) => {
      if (this.sink === undefined || toStart === true || !data.liveEvent || room === undefined) return;
      if (event.isBeingDecrypted() || event.shouldAttemptDecryption()) {
        event.once(MatrixEventEvent.Decrypted, () => this.consider(event, room));
      } else {
        this.consider(event, room);
      }
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
    const undecryptable = event.isDecryptionFailure() || event.getType() === "m.room.encrypted";
    if (!undecryptable && event.getType() !== "m.room.message") return;
    if (event.getRelation()?.rel_type === "m.replace") return;
    const actions = this.client.getPushActionsForEvent(event, true);
    const facts = {
      sender, me: this.client.getSafeUserId(), isDirect: this.isDirect(room.roomId),
      notify: actions?.notify === true, highlight: actions?.tweaks.highlight === true, undecryptable,
      roomOnScreen: sink.roomOnScreen(room.roomId), ageMs: Date.now() - event.localTimestamp,
    };
    if (!shouldNotify(facts)) return;
    void this.senderName(room, event, sender).then((name) => {
      sink.show({ roomId: room.roomId, eventId, ...noticeText(room.name, name, event.getContent(), sink.words) });
    });
  }
}

// Sends "typing" while the agent types, renewed before the server's timeout runs out, and "stopped"
// when the draft is emptied or sent: one request per few seconds, not one per key.
const RENEW_MS = 4000;

export class TypingNotifier {
  private sentAt = 0;
  private readonly send: (typing: boolean) => Promise<void>;
  private readonly now: () => number;
  constructor(send: (typing: boolean) => Promise<void>, now: () => number = Date.now) {
    this.send = send;
    this.now = now;
  }

  draftChanged(text: string): void {
    if (text.trim() === "") {
      this.stop();
      return;
    }
    if (this.now() - this.sentAt < RENEW_MS) return;
    this.sentAt = this.now();
    void this.send(true).catch(() => undefined);
  }

  stop(): void {
    if (this.sentAt === 0) return;
    this.sentAt = 0;
    void this.send(false).catch(() => undefined);
  }
}

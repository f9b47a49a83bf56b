// <ent-notifications-toggle>: the "Notifications du navigateur" setting (off by default, kept in
// localStorage). Turning it on asks the browser's permission; while on, the session's new mentions
// and DMs (core/notify-model.ts decides) show as Notifications; a click focuses the page and opens
// the room.
import { LitElement, css, html } from "lit";
import { live } from "lit/directives/live.js";
import type { ChatSession } from "../../core/chat-port.ts";
import type { NotificationSink } from "../../core/notify-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { roomFromHash, roomHash } from "./route.ts";

const KEY = "entente.notifications";

export class NotificationsToggle extends LitElement {
  static override properties = { i18n: { attribute: false }, session: { attribute: false }, on: { state: true }, problem: { state: true } };
  declare i18n: I18n;
  declare session: ChatSession | undefined;
  declare on: boolean;
  declare problem: string;

  static override styles = [theme, css`
    :host { display: flex; align-items: center; gap: 0.4rem; }
    label { display: flex; gap: 0.3rem; align-items: center; }
    .problem { font-size: 0.85rem; max-width: 22rem; }
  `];

  constructor() {
    super();
    this.on = localStorage.getItem(KEY) === "on" && "Notification" in globalThis && Notification.permission === "granted";
    this.problem = "";
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("session") || changed.has("on") || changed.has("i18n")) this.session?.notifications?.().setSink(this.on ? this.sink() : undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.session?.notifications?.().setSink(undefined);
  }

  private sink(): NotificationSink {
    const { t } = this.i18n;
    return {
      words: { image: t("noticeImage"), file: t("noticeFile") },
      roomOnScreen: (roomId) => document.visibilityState === "visible" && roomFromHash(location.hash) === roomId,
      show: (n) => {
        const note = new Notification(n.title, { body: n.body, tag: n.eventId });
        note.onclick = () => {
          window.focus();
          location.hash = roomHash(n.roomId);
          note.close();
        };
      },
    };
  }

  private async toggle(wanted: boolean): Promise<void> {
    this.problem = "";
    if (!wanted) {
      localStorage.removeItem(KEY);
      this.on = false;
      return;
    }
    if (!("Notification" in globalThis)) {
      this.problem = this.i18n.t("notificationsUnsupported");
      this.on = false;
      return;
    }
    const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
    if (permission !== "granted") {
      this.problem = this.i18n.t("notificationsDenied");
      this.on = false;
      return;
    }
    localStorage.setItem(KEY, "on");
    this.on = true;
  }

  override render(): unknown {
    const { t } = this.i18n;
    return html`<label><input type="checkbox" .checked=${live(this.on)} @change=${(e: Event) => void this.toggle((e.target as HTMLInputElement).checked)} />${t("browserNotifications")}</label>
      <span class="problem" role="status">${this.problem}</span>`;
  }
}
customElements.define("ent-notifications-toggle", NotificationsToggle);

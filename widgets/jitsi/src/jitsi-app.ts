// <entente-jitsi-app>: the wrapper's screen. Refusal and errors are states, not exceptions: the
// agent always sees why nothing started.
import { LitElement, css, html, nothing } from "lit";
import type { WidgetSession } from "../../kit/src/widget-session.ts";
import type { JitsiConfig } from "./jitsi-config.ts";
import { DomainRefusedError, JitsiMeeting, type Participant } from "./jitsi-meeting.ts";
import type { MeetingParams } from "./meeting-params.ts";
import { jitsiMessages } from "./messages.ts";

export type AppState =
  | { kind: "invalid"; reason: string }
  | { kind: "refused"; domain: string }
  | { kind: "lobby" }
  | { kind: "meeting" }
  | { kind: "ended" }
  | { kind: "failed"; reason: string };

export class JitsiApp extends LitElement {
  static override properties = { state: { attribute: false }, participants: { attribute: false } };
  declare state: AppState;
  declare participants: readonly Participant[];
  meeting: MeetingParams | undefined;
  config: JitsiConfig = { domains: [], preferredDomain: undefined };
  session: WidgetSession | undefined;
  #running: JitsiMeeting | undefined;

  static override styles = css`
    :host { display: flex; flex-direction: column; height: 100vh; font: 1rem/1.4 system-ui, sans-serif; color: var(--entente-fg); background: var(--entente-bg); }
    #stage { flex: 1; min-height: 0; }
    header { display: flex; gap: .5rem; align-items: center; padding: .25rem .5rem; }
    section { padding: 1.5rem; }
    ul { margin: 0; padding-left: 1rem; }
  `;

  constructor() {
    super();
    this.state = { kind: "lobby" };
    this.participants = [];
  }

  override render() {
    const m = jitsiMessages(this.meeting?.language ?? "fr");
    const s = this.state;
    switch (s.kind) {
      case "refused":
        return html`<section role="alert" data-state="refused"><h1>${m.refusedTitle}</h1><p>${m.refusedBody(s.domain)}</p></section>`;
      case "invalid":
        return html`<section role="alert" data-state="invalid"><h1>${m.invalidTitle}</h1><p>${s.reason}</p></section>`;
      case "failed":
        return html`<section role="alert" data-state="failed"><p>${s.reason}</p></section>`;
      case "lobby":
      case "ended":
        return html`<section data-state=${s.kind}>
          ${s.kind === "ended" ? html`<p>${m.ended}</p>` : nothing}
          <h1>${this.meeting?.roomName ?? this.meeting?.conferenceId}</h1>
          <button id="join" @click=${() => void this.join()}>${m.join}${this.meeting?.isAudioOnly === true ? ` (${m.audioOnly})` : ""}</button>
        </section>`;
      case "meeting":
        return html`<header data-state="meeting">
            <button id="hangup" @click=${() => this.#running?.hangUp()}>${m.hangUp}</button>
            <button id="share" @click=${() => this.#running?.toggleScreenSharing()}>${m.shareScreen}</button>
            <span>${m.participants} (${this.participants.length}) :</span>
            <ul id="participants">${this.participants.map((p) => html`<li>${p.displayName || p.id}</li>`)}</ul>
          </header>
          <div id="stage"></div>`;
    }
  }

  async join(): Promise<void> {
    if (this.meeting === undefined || this.#running !== undefined) return;
    this.state = { kind: "meeting" };
    await this.updateComplete;
    const stage = this.renderRoot.querySelector<HTMLElement>("#stage");
    if (stage === null) return;
    try {
      this.#running = await JitsiMeeting.start(document, this.config, this.meeting, stage, {
        joined: () => void this.session?.api.setAlwaysOnScreen(true).catch(() => false),
        left: () => {
          this.#running = undefined;
          this.participants = [];
          this.state = { kind: "ended" };
          void this.session?.api.setAlwaysOnScreen(false).catch(() => false);
        },
        participants: (list) => (this.participants = list),
      });
    } catch (e: unknown) {
      this.#running = undefined;
      this.state = e instanceof DomainRefusedError ? { kind: "refused", domain: e.message } : { kind: "failed", reason: jitsiMessages(this.meeting.language).loadFailed };
    }
  }

  hangUp(): void {
    this.#running?.hangUp();
  }
}

if (!customElements.get("entente-jitsi-app")) customElements.define("entente-jitsi-app", JitsiApp);

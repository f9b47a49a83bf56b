// <ent-profile>: the agent's name in the top bar, a button opening « Mon profil » in a native
// modal <dialog> (focus trapped by the browser, Escape closes, focus back to the button): the
// display name every room shows, and the time zone (`m.tz`) the bots, « Mes tâches » and the
// calendar use, French zones first (mainland and overseas). Only what changed is sent.
import { LitElement, css, html, nothing } from "lit";
import type { MyProfile, ProfilePort } from "../../core/profile-port.ts";
import { browserZones, zoneChoices } from "../../core/time-zones.ts";
import { DEFAULT_TIME_ZONE } from "../../../../appservices/kit/src/time-zone.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { setAgentTimeZone } from "../calendar/agent-time-zone.ts";

export class ProfileDialog extends LitElement {
  static override properties = {
    i18n: { attribute: false }, port: { attribute: false }, userId: {},
    profile: { state: true }, failure: { state: true }, notice: { state: true }, busy: { state: true },
  };
  declare i18n: I18n;
  declare port: ProfilePort | undefined;
  declare userId: string;
  declare profile: MyProfile | undefined;
  declare failure: string;
  declare notice: string;
  declare busy: boolean;

  static override styles = [theme, css`
    :host { display: inline-flex; }
    /* Inside the dark top bar: the dialog sets its own colours (it would inherit white text). */
    dialog { border: none; border-radius: 10px; padding: 1.5rem; width: min(32rem, 94vw); color: #1b1f24; background: var(--surface); }
    form { display: grid; gap: 0.8rem; }
    h2 { margin: 0; font-size: 1.2rem; }
    .field { display: grid; gap: 0.25rem; }
    .hint { margin: 0; font-size: 0.9em; color: var(--muted); }
    .id { font-family: monospace; overflow-wrap: anywhere; }
    .actions { display: flex; justify-content: flex-end; gap: 0.5rem; }
    .problem { color: var(--danger, #b00020); margin: 0; }
  `];

  constructor() {
    super();
    this.port = undefined;
    this.userId = "";
    this.profile = undefined;
    this.failure = "";
    this.notice = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const profile = await this.port?.load().catch(() => undefined);
    if (profile === undefined) return;
    this.profile = profile;
    setAgentTimeZone(profile.timeZone);
  }

  private open(): void {
    this.failure = "";
    this.notice = "";
    void this.refresh();
    void this.updateComplete.then(() => this.renderRoot.querySelector("dialog")?.showModal());
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const { t } = this.i18n;
    const before = this.profile;
    const port = this.port;
    if (before === undefined || port === undefined || this.busy) return;
    const form = e.target as HTMLFormElement;
    const displayName = (form.elements.namedItem("profile-name") as HTMLInputElement).value;
    const timeZone = (form.elements.namedItem("profile-zone") as HTMLSelectElement).value;
    if (displayName.trim() === "") {
      this.failure = t("profileEmptyName");
      return;
    }
    this.busy = true;
    this.failure = "";
    try {
      await port.save({ displayName, timeZone }, before);
      this.profile = { displayName: displayName.trim(), timeZone };
      setAgentTimeZone(timeZone);
      this.notice = t("profileSaved");
      this.renderRoot.querySelector("dialog")?.close();
    } catch (err: unknown) {
      const m = err instanceof Error ? err.message : String(err);
      this.failure = m === "unknown-zone" ? t("profileUnknownZone") : m === "empty-name" ? t("profileEmptyName") : m;
    } finally {
      this.busy = false;
    }
  }

  override render(): unknown {
    const { t } = this.i18n;
    const name = this.profile?.displayName ?? this.userId;
    const current = this.profile?.timeZone ?? DEFAULT_TIME_ZONE;
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const zones = zoneChoices(browserZones(), current);
    const option = (z: string) => html`<option value=${z} ?selected=${z === current}>${z}</option>`;
    return html`<button id="profile-open" type="button" aria-haspopup="dialog" aria-label=${t("profileOpen", { name })} title=${this.userId}
        ?disabled=${this.port === undefined} @click=${() => this.open()}>${name}</button>
      <span class="visually-hidden" role="status">${this.notice}</span>
      <dialog aria-labelledby="profile-title" @close=${() => this.renderRoot.querySelector<HTMLButtonElement>("#profile-open")?.focus()}>
        ${this.profile === undefined ? html`<p>${t("profileLoading")}</p>` : html`<form @submit=${(e: SubmitEvent) => void this.submit(e)}>
          <h2 id="profile-title">${t("profileTitle")}</h2>
          <div class="field"><span>${t("profileUserId")}</span><span class="id">${this.userId}</span></div>
          <div class="field"><label for="profile-name">${t("profileName")}</label>
            <input id="profile-name" name="profile-name" maxlength="255" autocomplete="name" .value=${this.profile.displayName ?? ""} aria-describedby="profile-name-hint" />
            <p class="hint" id="profile-name-hint">${t("profileNameHint")}</p></div>
          <div class="field"><label for="profile-zone">${t("profileZone")}</label>
            <select id="profile-zone" name="profile-zone" aria-describedby="profile-zone-hint">
              <optgroup label=${t("profileZonesFrench")}>${zones.french.map(option)}</optgroup>
              <optgroup label=${t("profileZonesOther")}>${zones.others.map(option)}</optgroup>
            </select>
            <p class="hint" id="profile-zone-hint">${t("profileZoneHint")} ${browser !== current ? t("profileZoneBrowser", { zone: browser }) : nothing}</p></div>
          <p class="problem" role="alert">${this.failure}</p>
          <div class="actions"><button type="button" @click=${() => this.renderRoot.querySelector("dialog")?.close()}>${t("profileCancel")}</button>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t("profileSave")}</button></div>
        </form>`}
      </dialog>`;
  }
}

if (!customElements.get("ent-profile")) customElements.define("ent-profile", ProfileDialog);

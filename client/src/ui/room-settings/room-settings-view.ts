// <ent-room-settings>: a room's settings in the agents' words: encryption state, who can join
// (invitation, members of the working group's space, public), members with their roles (changeable
// when the power level allows), invitations across councils, leaving. Emits requests; the room
// view carries them out through the session.
import { LitElement, css, html, nothing } from "lit";
import { ROLE_LEVEL, roleOf, type AssignableRole, type JoinRuleChoice, type MemberInfo, type MemberTrust, type RoomSettings } from "../../core/room-settings-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

export type SettingsRequest =
  | { kind: "join-rule"; rule: JoinRuleChoice }
  | { kind: "role"; userId: string; level: number }
  | { kind: "invite"; userId: string }
  | { kind: "leave" }
  | { kind: "close" };

const ROLES: readonly AssignableRole[] = ["admin", "moderator", "member"];
const ROLE_KEY = { owner: "roleOwner", admin: "roleAdmin", moderator: "roleModerator", member: "roleMember" } as const;

export class RoomSettingsView extends LitElement {
  static override properties = { settings: { attribute: false }, trust: { attribute: false }, i18n: { attribute: false }, notice: { type: String }, confirmLeave: { state: true } };
  declare settings: RoomSettings;
  declare trust: ReadonlyMap<string, MemberTrust>;
  declare i18n: I18n;
  declare notice: string;
  declare confirmLeave: boolean;

  static override styles = [theme, css`
    :host { display: block; overflow-y: auto; padding: 1rem 1.5rem; }
    h2 { font-size: 1.2rem; margin: 0 0 0.75rem; }
    h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
    fieldset { border: 1px solid var(--border); border-radius: var(--radius); padding: 0.5rem 0.75rem; }
    fieldset label { display: flex; gap: 0.5rem; align-items: center; padding: 0.2rem 0; }
    ul { list-style: none; margin: 0; padding: 0; max-width: 40rem; }
    li { display: flex; justify-content: space-between; align-items: center; gap: 0.75rem; padding: 0.3rem 0; border-bottom: 1px solid #eef0f3; }
    .who { display: grid; }
    form { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
    .danger { color: var(--danger); border-color: var(--danger); }
    .top { display: flex; justify-content: space-between; align-items: center; }
    .flag { font-size: 0.85rem; color: var(--muted); }
    .flag.warn { color: #92400e; }
  `];

  constructor() {
    super();
    this.notice = "";
    this.confirmLeave = false;
    this.trust = new Map();
  }

  private trustFlags(userId: string): unknown {
    const { t } = this.i18n;
    const tr = this.trust.get(userId);
    if (tr === undefined) return nothing;
    return html`${tr.identityVerified ? nothing : html`<span class="flag">${t("identityUnverified")}</span>`}
      ${tr.unverifiedDevices > 0 ? html`<span class="flag warn">⚠ ${t("unverifiedDevices", { count: tr.unverifiedDevices })}</span>` : nothing}`;
  }

  private emit(detail: SettingsRequest): void {
    this.dispatchEvent(new CustomEvent<SettingsRequest>("settings-request", { detail, bubbles: true, composed: true }));
  }

  private roleLabel(level: number): string {
    const role = roleOf(level);
    return role === "custom" ? this.i18n.t("roleCustom", { level }) : this.i18n.t(ROLE_KEY[role]);
  }

  private member(m: MemberInfo): unknown {
    const { t } = this.i18n;
    const s = this.settings;
    // Only people below one's own level (spec); not oneself: an only admin stepping down by a
    // misclick would lock the room's settings for good.
    const editable = s.canChangeRoles && m.membership === "join" && m.powerLevel < s.myLevel;
    return html`<li><span class="who"><span>${m.name}</span><span class="muted">${m.userId}${m.membership === "invite" ? ` · ${t("invitedState")}` : ""}</span>${this.trustFlags(m.userId)}</span>
      ${editable
        ? html`<select aria-label=${t("roleOf", { name: m.name })} @change=${(e: Event) => this.emit({ kind: "role", userId: m.userId, level: Number((e.target as HTMLSelectElement).value) })}>
            ${ROLES.filter((r) => ROLE_LEVEL[r] <= s.myLevel).map((r) => html`<option value=${ROLE_LEVEL[r]} ?selected=${m.powerLevel === ROLE_LEVEL[r]}>${t(ROLE_KEY[r])}</option>`)}
            ${roleOf(m.powerLevel) === "custom" ? html`<option value=${m.powerLevel} selected>${this.roleLabel(m.powerLevel)}</option>` : nothing}
          </select>`
        : html`<span><span class="visually-hidden">${t("roleOf", { name: m.name })} : </span>${this.roleLabel(m.powerLevel)}</span>`}
    </li>`;
  }

  private joinRules(): unknown {
    const { t } = this.i18n;
    const s = this.settings;
    const space = s.parentSpaces[0];
    const choice = (rule: JoinRuleChoice, label: string): unknown => html`<label><input type="radio" name="join-rule" value=${rule}
      ?checked=${s.joinRule === rule} ?disabled=${!s.canChangeJoinRule} @change=${() => this.emit({ kind: "join-rule", rule })} />${label}</label>`;
    const known = s.joinRule === "invite" || s.joinRule === "public" || (s.joinRule === "restricted" && space !== undefined);
    return html`<fieldset><legend>${t("joinRuleTitle")}</legend>
      ${choice("invite", t("joinInvite"))}
      ${space !== undefined ? choice("restricted", t("joinRestricted", { name: space.name })) : nothing}
      ${choice("public", t("joinPublic"))}
      ${known ? nothing : html`<p class="muted">${t("joinOther", { rule: s.joinRule })}</p>`}
    </fieldset>`;
  }

  private invite(e: SubmitEvent): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("settings-invitee") as HTMLInputElement;
    const userId = input.value.trim();
    if (userId === "") return;
    this.emit({ kind: "invite", userId });
    input.value = "";
  }

  override render(): unknown {
    const { t } = this.i18n;
    const s = this.settings;
    return html`<section aria-labelledby="settings-title">
      <div class="top"><h2 id="settings-title">${t("roomSettings")} : ${s.name}</h2>
        <button @click=${() => this.emit({ kind: "close" })}>${t("backToRoom")}</button></div>
      ${s.topic !== "" ? html`<p>${s.topic}</p>` : nothing}
      <p>${s.encrypted ? html`<span aria-hidden="true">🔒 </span>${t("encryptionOn")}` : t("encryptionOff")}</p>
      ${this.joinRules()}
      <h3>${t("members")} (${s.members.length})</h3>
      <ul>${s.members.map((m) => this.member(m))}</ul>
      ${s.canInvite ? html`<h3>${t("invite")}</h3><form @submit=${(e: SubmitEvent) => this.invite(e)}>
        <label for="settings-invitee">${t("inviteLabel")}</label>
        <input id="settings-invitee" name="settings-invitee" placeholder="@agent:collectivite.fr" />
        <button type="submit">${t("invite")}</button></form>` : nothing}
      <div role="status" class="muted">${this.notice}</div>
      <h3>${t("leaveRoom")}</h3>
      ${this.confirmLeave
        ? html`<button class="danger" @click=${() => this.emit({ kind: "leave" })}>${t("leaveConfirm")}</button>
            <button @click=${() => { this.confirmLeave = false; }}>${t("cancel")}</button>`
        : html`<button class="danger" @click=${() => { this.confirmLeave = true; }}>${t("leaveRoom")}</button>`}
    </section>`;
  }
}
customElements.define("ent-room-settings", RoomSettingsView);

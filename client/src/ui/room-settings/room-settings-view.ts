// <ent-room-settings>: a room's settings in the agents' words: encryption state, who can join
// (invitation, members of the working group's space, public), members with their roles (changeable
// when the power level allows), invitations across councils, leaving. Emits requests; the room
// view carries them out through the session.
import { LitElement, css, html, nothing } from "lit";
import { ROLE_LEVEL, roleOf, type AssignableRole, type BannedMember, type JoinRuleChoice, type MemberInfo, type MemberTrust, type ModerationAction, type RoomSettings } from "../../core/room-settings-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import type { ThumbnailLoader } from "../shared/room-avatar.ts";
import { theme } from "../shared/theme.ts";
import { filePickerStyles, renderFilePicker } from "../shared/file-picker.ts";
import "../shared/room-avatar.ts";

export type SettingsRequest =
  | { kind: "join-rule"; rule: JoinRuleChoice }
  | { kind: "role"; userId: string; level: number }
  | { kind: "invite"; userId: string }
  | { kind: "leave" }
  | { kind: "profile"; name: string; topic: string }
  | { kind: "avatar"; file: File }
  | { kind: "moderate"; action: ModerationAction }
  | { kind: "close" };

const ROLES: readonly AssignableRole[] = ["admin", "moderator", "member"];
const ROLE_KEY = { owner: "roleOwner", admin: "roleAdmin", moderator: "roleModerator", member: "roleMember" } as const;

export class RoomSettingsView extends LitElement {
  static override properties = {
    settings: { attribute: false }, trust: { attribute: false }, i18n: { attribute: false }, notice: { type: String }, confirmLeave: { state: true },
    load: { attribute: false }, moderating: { state: true },
  };
  declare load: ThumbnailLoader | undefined;
  /** The member whose removal or ban is being confirmed (with a reason). */
  declare moderating: { kind: "kick" | "ban"; userId: string } | undefined;
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
    .profile { display: grid; gap: 0.5rem; max-width: 40rem; }
    .profile label { display: grid; gap: 0.2rem; }
    .avatar { display: flex; align-items: center; gap: 0.75rem; margin-top: 0.75rem; }
    .acts { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
    .confirm { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; padding: 0.4rem 0 0.6rem; border-bottom: 1px solid #eef0f3; }
  `, filePickerStyles];

  constructor() {
    super();
    this.notice = "";
    this.confirmLeave = false;
    this.trust = new Map();
    this.moderating = undefined;
  }

  private trustFlags(userId: string, name: string): unknown {
    const { t } = this.i18n;
    const tr = this.trust.get(userId);
    if (tr === undefined) return nothing;
    // "verify-user" is handled by the app (emoji verification dialog, ui/dialogs/verification-dialog.ts).
    const verify = (): boolean => this.dispatchEvent(new CustomEvent<string>("verify-user", { detail: userId, bubbles: true, composed: true }));
    return html`${tr.identityVerified ? html`<span class="flag">✓ ${t("identityVerified")}</span>`
      : html`<span class="flag">${t("identityUnverified")}</span> <span><button @click=${verify}>${t("verifyPerson", { name })}</button></span>`}
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
    return html`<li><span class="who"><span>${m.name}</span><span class="muted">${m.userId}${m.membership === "invite" ? ` · ${t("invitedState")}` : ""}</span>${this.trustFlags(m.userId, m.name)}</span>
      ${editable
        ? html`<select aria-label=${t("roleOf", { name: m.name })} @change=${(e: Event) => this.emit({ kind: "role", userId: m.userId, level: Number((e.target as HTMLSelectElement).value) })}>
            ${ROLES.filter((r) => ROLE_LEVEL[r] <= s.myLevel).map((r) => html`<option value=${ROLE_LEVEL[r]} ?selected=${m.powerLevel === ROLE_LEVEL[r]}>${t(ROLE_KEY[r])}</option>`)}
            ${roleOf(m.powerLevel) === "custom" ? html`<option value=${m.powerLevel} selected>${this.roleLabel(m.powerLevel)}</option>` : nothing}
          </select>`
        : html`<span><span class="visually-hidden">${t("roleOf", { name: m.name })} : </span>${this.roleLabel(m.powerLevel)}</span>`}
      ${m.canKick === true || m.canBan === true ? html`<span class="acts">
        ${m.canKick === true ? html`<button class="danger" aria-label=${t("removeMemberOf", { name: m.name })} @click=${() => this.startModeration("kick", m.userId)}>${t("removeMember")}</button>` : nothing}
        ${m.canBan === true ? html`<button class="danger" aria-label=${t("banMemberOf", { name: m.name })} @click=${() => this.startModeration("ban", m.userId)}>${t("banMember")}</button>` : nothing}
      </span>` : nothing}
    </li>${this.moderating?.userId === m.userId ? this.confirmModeration(m) : nothing}`;
  }

  private startModeration(kind: "kick" | "ban", userId: string): void {
    this.moderating = { kind, userId };
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>("#moderation-reason")?.focus());
  }

  /** Removal or ban, confirmed with an optional reason (sent in the membership event). */
  private confirmModeration(m: MemberInfo): unknown {
    const { t } = this.i18n;
    const kind = this.moderating?.kind ?? "kick";
    const submit = (e: SubmitEvent): void => {
      e.preventDefault();
      const reason = ((e.target as HTMLFormElement).elements.namedItem("moderation-reason") as HTMLInputElement).value;
      this.moderating = undefined;
      this.emit({ kind: "moderate", action: { kind, userId: m.userId, reason } });
    };
    return html`<li><form class="confirm" @submit=${submit} aria-label=${t(kind === "kick" ? "removeMemberOf" : "banMemberOf", { name: m.name })}>
      <label for="moderation-reason">${t("moderationReason")}</label>
      <input id="moderation-reason" name="moderation-reason" />
      <button type="submit" class="danger">${t(kind === "kick" ? "removeConfirm" : "banConfirm")}</button>
      <button type="button" @click=${() => { this.moderating = undefined; }}>${t("cancel")}</button>
    </form></li>`;
  }

  private bannedRow(b: BannedMember): unknown {
    const { t } = this.i18n;
    return html`<li><span class="who">${b.name !== b.userId ? html`<span>${b.name}</span>` : nothing}<span class="muted">${b.userId}</span>
        ${b.reason !== "" ? html`<span class="muted">${t("banReason", { reason: b.reason })}</span>` : nothing}</span>
      ${b.canUnban ? html`<button aria-label=${t("unbanOf", { name: b.name })} @click=${() => this.emit({ kind: "moderate", action: { kind: "unban", userId: b.userId } })}>${t("unban")}</button>` : nothing}</li>`;
  }

  /** Name, topic and image: editable by those whose power level allows each state event. */
  private profile(): unknown {
    const { t } = this.i18n;
    const s = this.settings;
    const editable = s.canChangeName || s.canChangeTopic;
    const submit = (e: SubmitEvent): void => {
      e.preventDefault();
      const f = (e.target as HTMLFormElement).elements;
      const name = (f.namedItem("room-name") as HTMLInputElement).value;
      const topic = (f.namedItem("room-topic") as HTMLInputElement).value;
      this.emit({ kind: "profile", name, topic });
    };
    const avatar = html`<div class="avatar"><ent-avatar mxc=${s.avatarUrl ?? ""} name=${s.name} size="64" .load=${this.load}></ent-avatar>
      ${s.canChangeAvatar ? renderFilePicker({ id: "room-avatar", text: t("roomImage"), accept: "image/*", pick: (files) => {
        const file = files[0];
        if (file !== undefined) this.emit({ kind: "avatar", file });
      } }) : nothing}</div>`;
    if (!editable) return html`${s.topic !== "" ? html`<p>${s.topic}</p>` : nothing}${avatar}`;
    return html`<form class="profile" @submit=${submit}>
      <label for="room-name">${t("name")}<input id="room-name" name="room-name" required .value=${s.name} ?disabled=${!s.canChangeName} /></label>
      <label for="room-topic">${t("topic")}<input id="room-topic" name="room-topic" .value=${s.topic} ?disabled=${!s.canChangeTopic} /></label>
      <span><button type="submit" class="primary">${t("save")}</button></span>
    </form>${avatar}`;
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
      <div class="top"><h2 id="settings-title">${t("settingsTitle", { name: s.name })}</h2>
        <button @click=${() => this.emit({ kind: "close" })}>${t("backToRoom")}</button></div>
      ${this.profile()}
      <div role="status" class="muted" id="settings-status">${this.notice}</div>
      <p>${s.encrypted ? html`<span aria-hidden="true">🔒 </span>${t("encryptionOn")}` : t("encryptionOff")}</p>
      ${this.joinRules()}
      <h3>${t("members")} (${s.members.length})</h3>
      <ul>${s.members.map((m) => this.member(m))}</ul>
      ${s.banned.length > 0 ? html`<h3>${t("bannedTitle")} (${s.banned.length})</h3><ul>${s.banned.map((b) => this.bannedRow(b))}</ul>` : nothing}
      ${s.canInvite ? html`<h3>${t("invite")}</h3><form @submit=${(e: SubmitEvent) => this.invite(e)}>
        <label for="settings-invitee">${t("inviteLabel")}</label>
        <input id="settings-invitee" name="settings-invitee" placeholder="@agent:collectivite.fr" />
        <button type="submit">${t("invite")}</button></form>` : nothing}
      <slot name="extra"></slot>
      <h3>${t("leaveRoom")}</h3>
      ${this.confirmLeave
        ? html`<button class="danger" @click=${() => this.emit({ kind: "leave" })}>${t("leaveConfirm")}</button>
            <button @click=${() => { this.confirmLeave = false; }}>${t("cancel")}</button>`
        : html`<button class="danger" @click=${() => { this.confirmLeave = true; }}>${t("leaveRoom")}</button>`}
    </section>`;
  }
}
customElements.define("ent-room-settings", RoomSettingsView);

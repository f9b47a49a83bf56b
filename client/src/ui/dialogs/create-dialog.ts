// "New working group" / "New room" / "New direct chat" in a native modal <dialog>: focus is trapped
// and Escape closes it, which the browser does for us (RGAA 7.1). The direct chat's Matrix ID is
// checked here, in our words (the browser's own validation bubble speaks the browser's language).
import { LitElement, css, html, nothing } from "lit";
import type { NewRoom } from "../../core/chat-port.ts";
import { USER_ID } from "../../core/room-actions.ts";
import type { RoomSummary } from "../../core/room-list-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { filePickerStyles, renderFilePicker } from "../shared/file-picker.ts";

export type CreateRequest = { kind: "space"; name: string } | ({ kind: "room" } & NewRoom) | { kind: "direct"; userId: string };

export class CreateDialog extends LitElement {
  static override properties = { i18n: { attribute: false }, kind: { type: String }, spaces: { attribute: false }, avatarName: { state: true }, userId: { type: String }, userError: { state: true } };
  declare i18n: I18n;
  declare kind: "space" | "room" | "direct";
  /** The signed-in agent (a direct chat with oneself is refused). */
  declare userId: string;
  /** Why the direct chat's Matrix ID was refused (shown under the field, announced). */
  declare userError: string | undefined;
  declare spaces: RoomSummary[];
  /** The picked image's name, shown beside its button (the form's reset forgets it). */
  declare avatarName: string | undefined;

  static override styles = [theme, css`
    dialog { border: none; border-radius: 10px; padding: 1.5rem; width: min(26rem, 90vw); }
    form { display: grid; gap: 0.8rem; }
    label { display: grid; gap: 0.3rem; }
    .check { display: flex; gap: 0.5rem; align-items: center; }
    fieldset { border: 1px solid var(--border); border-radius: var(--radius); display: grid; gap: 0.3rem; }
    .actions { display: flex; justify-content: flex-end; gap: 0.5rem; }
    .hint { margin: 0; font-size: 0.85rem; color: var(--muted, #555); }
    .error { margin: 0; color: var(--danger, #b00020); }
    h2 { margin: 0; font-size: 1.2rem; }
  `, filePickerStyles];

  constructor() {
    super();
    this.kind = "room";
    this.spaces = [];
    this.userId = "";
  }

  open(kind: "space" | "room" | "direct"): void {
    this.kind = kind;
    this.userError = undefined;
    void this.updateComplete.then(() => {
      const d = this.renderRoot.querySelector("dialog");
      d?.querySelector("form")?.reset();
      this.avatarName = undefined;
      d?.showModal();
    });
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    if (this.kind === "direct") {
      this.submitDirect(String(data.get("user") ?? "").trim());
      return;
    }
    const name = String(data.get("name") ?? "").trim();
    if (name === "") return;
    const space = String(data.get("space") ?? "");
    const avatar = data.get("avatar");
    const detail: CreateRequest = this.kind === "space" ? { kind: "space", name }
      : {
        kind: "room", name, topic: String(data.get("topic") ?? ""), spaceId: space === "" ? undefined : space, encrypted: data.get("encrypted") !== null,
        avatar: avatar instanceof File && avatar.size > 0 ? avatar : undefined, isPublic: data.get("access") === "public",
      };
    this.renderRoot.querySelector("dialog")?.close();
    this.dispatchEvent(new CustomEvent<CreateRequest>("create-request", { detail, bubbles: true, composed: true }));
  }

  private submitDirect(userId: string): void {
    const { t } = this.i18n;
    this.userError = !USER_ID.test(userId) ? t("directInvalid") : userId === this.userId ? t("directSelf") : undefined;
    if (this.userError !== undefined) {
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>("input[name=user]")?.focus());
      return;
    }
    this.renderRoot.querySelector("dialog")?.close();
    this.dispatchEvent(new CustomEvent<CreateRequest>("create-request", { detail: { kind: "direct", userId }, bubbles: true, composed: true }));
  }

  private renderDirect(): unknown {
    const { t } = this.i18n;
    const invalid = this.userError !== undefined;
    return html`<label>${t("directWith")}<input name="user" autocomplete="off" spellcheck="false" aria-describedby="direct-hint${invalid ? " direct-error" : ""}" aria-invalid=${invalid ? "true" : "false"} /></label>
      <p class="hint" id="direct-hint">${t("directHint")}</p>
      ${invalid ? html`<p class="error" id="direct-error" role="alert">${this.userError}</p>` : nothing}`;
  }

  override render(): unknown {
    const { t } = this.i18n;
    const title = this.kind === "space" ? t("createSpace") : this.kind === "direct" ? t("createDirect") : t("createRoom");
    return html`<dialog aria-labelledby="dlg-title">
      <form @submit=${(e: SubmitEvent) => this.submit(e)}>
        <h2 id="dlg-title">${title}</h2>
        ${this.kind === "direct" ? this.renderDirect() : html`<label>${t("name")}<input name="name" required /></label>`}
        ${this.kind === "room" ? html`
          <label>${t("topic")}<input name="topic" /></label>
          <label>${t("inSpace")}<select name="space">
            ${this.spaces.map((s) => html`<option value=${s.roomId}>${s.name}</option>`)}
            <option value="">${t("noSpace")}</option></select></label>
          <fieldset><legend>${t("joinRuleTitle")}</legend>
            <label class="check"><input type="radio" name="access" value="private" checked />${t("createAccessPrivate")}</label>
            <label class="check"><input type="radio" name="access" value="public" />${t("joinPublic")}</label></fieldset>
          <label class="check"><input type="checkbox" name="encrypted" checked />${t("encrypted")}</label>
          ${renderFilePicker({ id: "avatar", name: "avatar", text: t("roomImageOptional"), accept: "image/*", chosen: this.avatarName ?? t("noImageChosen"), pick: (files) => { this.avatarName = files[0]?.name; } })}` : nothing}
        <div class="actions">
          <button type="button" @click=${() => this.renderRoot.querySelector("dialog")?.close()}>${t("cancel")}</button>
          <button class="primary" type="submit">${this.kind === "direct" ? t("directStart") : t("create")}</button>
        </div>
      </form>
    </dialog>`;
  }
}
customElements.define("ent-create-dialog", CreateDialog);

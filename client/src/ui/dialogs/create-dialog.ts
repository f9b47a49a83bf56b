// "New working group" / "New room" in a native modal <dialog>: focus is trapped and Escape closes
// it, which the browser does for us (RGAA 7.1).
import { LitElement, css, html, nothing } from "lit";
import type { NewRoom } from "../../core/chat-port.ts";
import type { RoomSummary } from "../../core/room-list-model.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";
import { filePickerStyles, renderFilePicker } from "../shared/file-picker.ts";

export type CreateRequest = { kind: "space"; name: string } | ({ kind: "room" } & NewRoom);

export class CreateDialog extends LitElement {
  static override properties = { i18n: { attribute: false }, kind: { type: String }, spaces: { attribute: false }, avatarName: { state: true } };
  declare i18n: I18n;
  declare kind: "space" | "room";
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
    h2 { margin: 0; font-size: 1.2rem; }
  `, filePickerStyles];

  constructor() {
    super();
    this.kind = "room";
    this.spaces = [];
  }

  open(kind: "space" | "room"): void {
    this.kind = kind;
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

  override render(): unknown {
    const { t } = this.i18n;
    const title = this.kind === "space" ? t("createSpace") : t("createRoom");
    return html`<dialog aria-labelledby="dlg-title">
      <form @submit=${(e: SubmitEvent) => this.submit(e)}>
        <h2 id="dlg-title">${title}</h2>
        <label>${t("name")}<input name="name" required /></label>
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
          <button class="primary" type="submit">${t("create")}</button>
        </div>
      </form>
    </dialog>`;
  }
}
customElements.define("ent-create-dialog", CreateDialog);

// Sign-in form: pick a council (or "other" and type a full Matrix id), username, password.
// Emits `sign-in-request`; the shell does the network work and sets `error`/`busy`.
import { LitElement, css, html } from "lit";
import type { CouncilChoice } from "../../core/client-config.ts";
import type { I18n } from "../shared/i18n-context.ts";
import { theme } from "../shared/theme.ts";

export interface SignInRequest { councilId: string | undefined; user: string; password: string }

export class SignInView extends LitElement {
  static override properties = { councils: { attribute: false }, i18n: { attribute: false }, busy: { type: Boolean }, error: { type: String }, chosen: { state: true } };
  declare councils: CouncilChoice[];
  /** The council picked in the list ("" for another one): its server name is the hint's example. */
  declare chosen: string | undefined;
  declare i18n: I18n;
  declare busy: boolean;
  declare error: string;

  static override styles = [theme, css`
    :host { display: grid; place-items: center; min-height: 100vh; }
    form { background: var(--surface); padding: 2rem; border-radius: 10px; box-shadow: 0 2px 12px rgb(0 0 0 / 0.08); display: grid; gap: 0.9rem; width: min(24rem, 90vw); }
    label { display: grid; gap: 0.3rem; font-weight: 600; }
    .hint { font-weight: normal; font-size: 0.85rem; }
    h1 { margin: 0; font-size: 1.4rem; }
  `];

  constructor() {
    super();
    this.councils = [];
    this.busy = false;
    this.error = "";
    this.chosen = undefined;
  }

  /** The full id example: the picked council's server name (the demo's is not ville-a.fr). */
  private exampleServer(): string {
    const id = this.chosen ?? this.councils[0]?.id ?? "";
    return this.councils.find((c) => c.id === id)?.serverName ?? "ville-a.fr";
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const council = String(data.get("council") ?? "");
    const detail: SignInRequest = { councilId: council === "" ? undefined : council, user: String(data.get("user") ?? ""), password: String(data.get("password") ?? "") };
    this.dispatchEvent(new CustomEvent<SignInRequest>("sign-in-request", { detail, bubbles: true, composed: true }));
  }

  override render(): unknown {
    const { t } = this.i18n;
    return html`
      <main>
        <form @submit=${(e: SubmitEvent) => this.submit(e)} aria-labelledby="title">
          <h1 id="title">${t("appName")} · ${t("signInTitle")}</h1>
          <label>${t("council")}
            <select name="council" @change=${(e: Event) => { this.chosen = (e.target as HTMLSelectElement).value; }}>
              ${this.councils.map((c, i) => html`<option value=${c.id} ?selected=${i === 0}>${c.label}</option>`)}
              <option value="">${t("councilOther")}</option>
            </select>
          </label>
          <label>${t("username")} <span class="hint muted" id="user-hint">${t("usernameHint", { server: this.exampleServer() })}</span>
            <input name="user" autocomplete="username" required aria-describedby="user-hint" />
          </label>
          <label>${t("password")}
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <div role="alert" class="error">${this.error}</div>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t("signingIn") : t("signIn")}</button>
        </form>
      </main>`;
  }
}
customElements.define("ent-sign-in", SignInView);

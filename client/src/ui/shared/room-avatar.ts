// <ent-avatar>: a room's image (fetched with the access token by the session, shown through an
// object URL) or, without one, its initial on a coloured disc. Decorative: the room's name is
// always written next to it, so the image has an empty alt (RGAA 1.2).
import { LitElement, css, html } from "lit";

export type ThumbnailLoader = (mxc: string) => Promise<string>;

export class RoomAvatar extends LitElement {
  static override properties = { mxc: { type: String }, name: { type: String }, size: { type: Number }, load: { attribute: false }, src: { state: true } };
  declare mxc: string;
  declare name: string;
  declare size: number;
  declare load: ThumbnailLoader | undefined;
  declare src: string;
  private loading = "";

  static override styles = css`
    :host { display: inline-block; flex: none; }
    img, span { display: grid; place-items: center; border-radius: 50%; object-fit: cover; }
    span { background: #475569; color: #fff; font-weight: 600; }
  `;

  constructor() {
    super();
    this.mxc = "";
    this.name = "";
    this.size = 24;
    this.src = "";
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has("mxc") || changed.has("load")) && this.mxc !== this.loading) {
      this.loading = this.mxc;
      this.src = "";
      const mxc = this.mxc;
      if (mxc !== "" && this.load !== undefined) {
        this.load(mxc).then((url) => { if (this.mxc === mxc) this.src = url; }, () => undefined);
      }
    }
  }

  override render(): unknown {
    const px = `${this.size}px`;
    return this.src !== ""
      ? html`<img part="image" src=${this.src} alt="" width=${this.size} height=${this.size} style="width:${px};height:${px}" />`
      : html`<span aria-hidden="true" style="width:${px};height:${px};font-size:${this.size * 0.5}px">${[...this.name.trim()][0]?.toUpperCase() ?? "#"}</span>`;
  }
}
customElements.define("ent-avatar", RoomAvatar);

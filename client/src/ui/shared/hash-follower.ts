// Base of the elements that follow the address (#/…): `route` is what the parser makes of
// location.hash, read again at every hashchange while the element is connected.
import { LitElement } from "lit";

export function hashFollower<R>(routeFromHash: (hash: string) => R | undefined) {
  abstract class HashFollower extends LitElement {
    static override properties = { route: { state: true } };
    declare route: R | undefined;
    private readonly onHash = (): void => { this.route = routeFromHash(location.hash); };
    override connectedCallback(): void {
      super.connectedCallback();
      this.onHash();
      window.addEventListener("hashchange", this.onHash);
    }
    override disconnectedCallback(): void {
      super.disconnectedCallback();
      window.removeEventListener("hashchange", this.onHash);
    }
  }
  return HashFollower;
}

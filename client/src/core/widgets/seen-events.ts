// Event ids already handed to a widget: a bounded set (oldest forgotten first).
/** Each event id once: a remote echo or a re-emitted decryption must not reach the widget twice. */
export class SeenEvents {
  readonly #ids = new Set<string>();
  readonly #max: number;
  constructor(max = 500) {
    this.#max = max;
  }
  firstTime(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#max) this.#ids.delete(this.#ids.values().next().value ?? "");
    return true;
  }
}

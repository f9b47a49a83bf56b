// ProfilePort over matrix-js-sdk: the display name with the SDK's own calls, `m.tz` with the
// profile field endpoints (GET/PUT /profile/{userId}/m.tz; 404 when unset).
import type { MatrixClient } from "matrix-js-sdk";
import { readMyTimeZone, writeMyTimeZone } from "./my-time-zone.ts";
import type { MyProfile, ProfilePort } from "./profile-port.ts";
import { knownZone } from "./time-zones.ts";

export class MatrixProfilePort implements ProfilePort {
  readonly #client: MatrixClient;

  constructor(client: MatrixClient) {
    this.#client = client;
  }

  async load(): Promise<MyProfile> {
    const me = this.#client.getSafeUserId();
    const [info, tz] = await Promise.all([
      this.#client.getProfileInfo(me).catch(() => ({ displayname: undefined })),
      readMyTimeZone(this.#client),
    ]);
    const name = typeof info.displayname === "string" && info.displayname.trim() !== "" ? info.displayname : undefined;
    return { displayName: name, timeZone: tz };
  }

  async save(next: { displayName: string; timeZone: string }, before: MyProfile): Promise<void> {
    const name = next.displayName.trim();
    if (name === "") throw new Error("empty-name");
    if (!knownZone(next.timeZone)) throw new Error("unknown-zone");
    if (name !== before.displayName) await this.#client.setDisplayName(name);
    if (next.timeZone !== before.timeZone) await writeMyTimeZone(this.#client, next.timeZone);
  }
}

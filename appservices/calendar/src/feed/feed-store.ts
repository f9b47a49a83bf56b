// The secret of each binding's ICS feed, in the bot's own store (never in the room: state is not
// encrypted and federates). One JSON file, mode 0600, replaced atomically. Revoking deletes the
// secret, so the old URL answers 404 at once; enabling again makes a new one.
import { randomBytes } from "node:crypto";
import { readTextIfExists, writeJsonFileAtomic } from "../../../kit/src/json-file.ts";
import { isObject } from "../protocol.ts";

interface FeedFile {
  version: 1;
  /** binding key ("<room id>|<binding id>") → secret */
  feeds: Record<string, string>;
}

export class FeedStore {
  readonly path: string;
  #data: FeedFile;
  #bySecret = new Map<string, string>();

  private constructor(path: string, data: FeedFile) {
    this.path = path;
    this.#data = data;
    for (const [key, secret] of Object.entries(data.feeds)) this.#bySecret.set(secret, key);
  }

  static async open(path: string): Promise<FeedStore> {
    const text = await readTextIfExists(path);
    if (text === undefined) return new FeedStore(path, { version: 1, feeds: {} });
    const raw = JSON.parse(text) as unknown;
    if (!isObject(raw) || raw["version"] !== 1 || !isObject(raw["feeds"]) || !Object.values(raw["feeds"]).every((v) => typeof v === "string")) {
      throw new Error(`${path}: not an ICS feed store (version 1)`);
    }
    return new FeedStore(path, raw as unknown as FeedFile);
  }

  secretOf(bindingKey: string): string | undefined {
    return this.#data.feeds[bindingKey];
  }

  bindingOf(secret: string): string | undefined {
    return this.#bySecret.get(secret);
  }

  /** A new secret for the binding (replacing any older one); saved before it is returned. */
  async enable(bindingKey: string): Promise<string> {
    const old = this.#data.feeds[bindingKey];
    if (old !== undefined) this.#bySecret.delete(old);
    const secret = randomBytes(24).toString("base64url");
    this.#data.feeds[bindingKey] = secret;
    this.#bySecret.set(secret, bindingKey);
    await this.#save();
    return secret;
  }

  /** true if there was a feed to revoke */
  async revoke(bindingKey: string): Promise<boolean> {
    const old = this.#data.feeds[bindingKey];
    if (old === undefined) return false;
    this.#bySecret.delete(old);
    delete this.#data.feeds[bindingKey];
    await this.#save();
    return true;
  }

  async #save(): Promise<void> {
    await writeJsonFileAtomic(this.path, this.#data);
  }
}

// Shares on disk, one folder each: data.pgp (the ciphertext as uploaded), skesk.bin (its first
// packet), meta.json and access.jsonl. Only ciphertext ever reaches this folder: the upload is
// checked to be a password-encrypted OpenPGP message before it is kept (packets.ts).
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { appendFile, mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable, Transform } from "node:stream";
import { checkPasswordMessage } from "./packets.ts";
import type { AccessEntry, CreateParams, ShareMeta } from "./share-rules.ts";

export class ShareInputError extends Error {
  readonly errcode: "M_TOO_LARGE" | "M_BAD_JSON" | "M_INVALID_PARAM";
  readonly status: number;
  constructor(errcode: ShareInputError["errcode"], status: number, message: string) {
    super(message);
    this.errcode = errcode;
    this.status = status;
  }
}

const ID = /^[A-Za-z0-9_-]{22}$/;

export class ShareStore {
  private readonly root: string;
  /** Serialises read-modify-write of meta.json (one process owns the folder). */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(root: string) {
    this.root = root;
  }

  private dir(id: string): string {
    if (!ID.test(id)) throw new Error("bad share id");
    return join(this.root, id);
  }

  async create(owner: string, p: CreateParams, body: Readable, maxBytes: number, now: number): Promise<ShareMeta> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const id = randomBytes(16).toString("base64url");
    const dir = this.dir(id);
    await mkdir(dir, { mode: 0o700 });
    let size = 0;
    try {
      await pipeline(body, new Transform({
        transform(chunk: Buffer, _e, cb) {
          size += chunk.length;
          cb(size > maxBytes ? new ShareInputError("M_TOO_LARGE", 413, `larger than ${maxBytes} bytes`) : null, chunk);
        },
      }), createWriteStream(join(dir, "data.pgp.part"), { mode: 0o600 }));
      const fh = await open(join(dir, "data.pgp.part"));
      const head = new Uint8Array(8192);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      await fh.close();
      const check = checkPasswordMessage(head.subarray(0, bytesRead));
      if (!check.ok) throw new ShareInputError("M_BAD_JSON", 400, `refused: ${check.why}`);
      await writeFile(join(dir, "skesk.bin"), check.skesk, { mode: 0o600 });
      await rename(join(dir, "data.pgp.part"), join(dir, "data.pgp"));
      const meta: ShareMeta = { id, owner, sealedName: p.sealedName, size, createdAt: now, expiresAt: p.expiresAt, maxDownloads: p.maxDownloads, downloads: 0, ...(p.tag !== undefined && { tag: p.tag }) };
      await this.writeMeta(meta);
      return meta;
    } catch (e: unknown) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async get(id: string): Promise<ShareMeta | undefined> {
    if (!ID.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.dir(id), "meta.json"), "utf8")) as ShareMeta;
    } catch {
      return undefined;
    }
  }

  async list(owner: string): Promise<ShareMeta[]> {
    const ids = await readdir(this.root).catch(() => [] as string[]);
    const metas = await Promise.all(ids.map((id) => this.get(id)));
    return metas.filter((m): m is ShareMeta => m !== undefined && m.owner === owner).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Applies `change` to the current meta under the lock; returns what it returned. */
  update<T>(id: string, change: (m: ShareMeta) => { meta?: ShareMeta; result: T }): Promise<T | undefined> {
    const run = this.lock.then(async () => {
      const m = await this.get(id);
      if (!m) return undefined;
      const r = change(m);
      if (r.meta) await this.writeMeta(r.meta);
      return r.result;
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  async log(id: string, e: AccessEntry): Promise<void> {
    await appendFile(join(this.dir(id), "access.jsonl"), JSON.stringify(e) + "\n", { mode: 0o600 });
  }

  async readLog(id: string): Promise<AccessEntry[]> {
    const text = await readFile(join(this.dir(id), "access.jsonl"), "utf8").catch(() => "");
    return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as AccessEntry);
  }

  skesk(id: string): Promise<Buffer> {
    return readFile(join(this.dir(id), "skesk.bin"));
  }

  data(id: string): Readable {
    return createReadStream(join(this.dir(id), "data.pgp"));
  }

  private async writeMeta(m: ShareMeta): Promise<void> {
    const path = join(this.dir(m.id), "meta.json");
    await writeFile(`${path}.tmp`, JSON.stringify(m), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }
}

// Streamed Matrix v2 attachment encryption and decryption as WHATWG TransformStreams (browser
// and Node alike): one chunk in, one chunk out, so memory holds a chunk whatever the file size.
import type { AttachmentBackend } from "./backend.ts";
import { toBase64, toBase64Url } from "./base64.ts";
import { AttachmentError, keysOf, type EncryptedFileInfo } from "./encrypted-file.ts";

/** The TransformStream constructor's argument, named without the global `Transformer` type (absent from Node's typings). */
type ByteTransformer = NonNullable<ConstructorParameters<typeof TransformStream<Uint8Array, Uint8Array>>[0]>;

/** Fresh key material: random 256-bit key, iv = 8 random bytes then a zero 64-bit counter. */
export function newAttachmentKey(backend: AttachmentBackend): { key: Uint8Array; iv: Uint8Array } {
  const iv = new Uint8Array(16);
  iv.set(backend.randomBytes(8), 0);
  return { key: backend.randomBytes(32), iv };
}

export interface EncryptingStream {
  stream: TransformStream<Uint8Array, Uint8Array>;
  /** Resolves once the stream is flushed: the info to put in `content.file` (plus `url`). */
  info: Promise<EncryptedFileInfo>;
  /** Plaintext bytes seen so far. */
  bytes(): number;
}

export function encryptingStream(backend: AttachmentBackend, material = newAttachmentKey(backend)): EncryptingStream {
  const cipher = backend.aesCtr(material.key, material.iv);
  const hash = backend.sha256();
  let seen = 0;
  let done!: (info: EncryptedFileInfo) => void;
  let failed!: (e: unknown) => void;
  const info = new Promise<EncryptedFileInfo>((res, rej) => ((done = res), (failed = rej)));
  info.catch(() => undefined); // a caller that only reads the stream must not get an unhandled rejection
  const emit = (out: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>): void => {
    if (out.length === 0) return;
    hash.update(out);
    controller.enqueue(out);
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      seen += chunk.length;
      emit(await cipher.update(chunk), controller);
    },
    async flush(controller) {
      emit(await cipher.final(), controller);
      done({
        v: "v2",
        key: { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A256CTR", k: toBase64Url(material.key), ext: true },
        iv: toBase64(material.iv),
        hashes: { sha256: toBase64(hash.digest()) },
      });
    },
    // `cancel` (WHATWG, Node and Chromium) is missing from older DOM typings: typed by assertion.
    cancel(reason: unknown) {
      failed(reason);
    },
  } as ByteTransformer);
  return { stream, info, bytes: () => seen };
}

/**
 * Decrypts as the ciphertext arrives. The hash can only be checked at the end, so the stream
 * ERRORS at flush on a mismatch: a sink must treat what it wrote as void unless the stream closes
 * cleanly (write to a temporary file, rename on success).
 */
export function decryptingStream(backend: AttachmentBackend, info: EncryptedFileInfo, expectedSize?: number): TransformStream<Uint8Array, Uint8Array> {
  const keys = keysOf(info);
  const cipher = backend.aesCtr(keys.key, keys.iv);
  const hash = backend.sha256();
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      seen += chunk.length;
      hash.update(chunk);
      const out = await cipher.update(chunk);
      if (out.length > 0) controller.enqueue(out);
    },
    async flush(controller) {
      const out = await cipher.final();
      if (out.length > 0) controller.enqueue(out);
      if (!equal(hash.digest(), keys.sha256)) throw new AttachmentError("hash_mismatch", "encrypted file: SHA-256 of the ciphertext does not match");
      if (expectedSize !== undefined && seen !== expectedSize) throw new AttachmentError("size_mismatch", `encrypted file: ${seen} bytes, expected ${expectedSize}`);
    },
  });
}

/** A pass-through that hashes (e.g. the plaintext, for a manifest). */
export function hashingStream(backend: AttachmentBackend): { stream: TransformStream<Uint8Array, Uint8Array>; digest: () => Uint8Array } {
  const hash = backend.sha256();
  let digest: Uint8Array | undefined;
  return {
    stream: new TransformStream({
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
    }),
    digest: () => (digest ??= hash.digest()),
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

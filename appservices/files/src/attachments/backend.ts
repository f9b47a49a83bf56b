// The primitives the streamed attachment crypto needs, behind one interface: Node's OpenSSL
// (node-backend.ts, fastest) or WebCrypto plus a JS SHA-256 (web-backend.ts, browser and Node),
// because WebCrypto has neither a streaming AES-CTR nor an incremental digest.

export interface CtrCipher {
  /** Encrypts (or decrypts: CTR is symmetric) the next bytes of the stream. */
  update(chunk: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: update() with the output written into `out` (from its start) instead of returned;
   * resolves to the bytes written. The web backend frees its own output buffers at once then
   * (release-buffer.ts), so an upload leaves no garbage behind per call.
   */
  updateInto?(chunk: Uint8Array, out: Uint8Array): Promise<number>;
  /** Whatever is still buffered (at most one partial block). */
  final(): Promise<Uint8Array>;
}

export interface Sha256 {
  update(chunk: Uint8Array): void;
  digest(): Uint8Array;
  /** An independent hasher in the same state (a checkpoint to go back to when a part fails). */
  copy(): Sha256;
}

export interface AttachmentBackend {
  readonly name: string;
  randomBytes(n: number): Uint8Array;
  /** AES-256-CTR from `iv` as the first counter block (Matrix: 64-bit counter in the low half). */
  aesCtr(key: Uint8Array, iv: Uint8Array): CtrCipher;
  sha256(): Sha256;
  /**
   * Optional one-shot SHA-256 of bytes held in memory. WebCrypto's runs natively (SHA
   * instructions where the CPU has them: 3–4× the WebAssembly hasher per CPU second in Chromium
   * on this VM) but has no incremental form, so it serves parts held whole in memory.
   */
  digest?(data: Uint8Array): Promise<Uint8Array>;
}

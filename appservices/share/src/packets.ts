// Just enough OpenPGP packet framing (RFC 9580 §4.2) to check an upload before storing it: the
// service accepts only a password-encrypted message with AEAD, i.e. one SKESK (tag 3) then a
// version-2 SEIPD (tag 18). Anything else (a plaintext file, a key-encrypted message, no AEAD) is
// refused. The SKESK alone is served to the recipient page so it checks the password BEFORE
// downloading (a wrong password then costs no download).

export interface PacketHead {
  tag: number;
  /** Offset of the body and its length; length undefined for a partial (streamed) body. */
  bodyOffset: number;
  length: number | undefined;
}

export function readPacketHead(b: Uint8Array, at = 0): PacketHead | undefined {
  const first = b[at];
  if (first === undefined || (first & 0x80) === 0) return undefined;
  if ((first & 0x40) === 0) {
    // legacy format: tag in bits 5-2, length type in bits 1-0
    const tag = (first >> 2) & 0x0f;
    const lt = first & 0x03;
    if (lt === 3) return { tag, bodyOffset: at + 1, length: undefined };
    const n = 1 << lt;
    if (at + 1 + n > b.length) return undefined;
    let length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[at + 1 + i]!;
    return { tag, bodyOffset: at + 1 + n, length };
  }
  const tag = first & 0x3f;
  const l0 = b[at + 1];
  if (l0 === undefined) return undefined;
  if (l0 < 192) return { tag, bodyOffset: at + 2, length: l0 };
  if (l0 < 224) {
    const l1 = b[at + 2];
    return l1 === undefined ? undefined : { tag, bodyOffset: at + 3, length: ((l0 - 192) << 8) + l1 + 192 };
  }
  if (l0 === 255) {
    if (at + 6 > b.length) return undefined;
    return { tag, bodyOffset: at + 6, length: ((b[at + 2]! << 24) >>> 0) + (b[at + 3]! << 16) + (b[at + 4]! << 8) + b[at + 5]! };
  }
  return { tag, bodyOffset: at + 2, length: undefined }; // partial body length
}

export type CheckResult = { ok: true; skesk: Uint8Array } | { ok: false; why: string };

/** Checks the start of an upload (a few KiB are enough). */
export function checkPasswordMessage(head: Uint8Array): CheckResult {
  const p = readPacketHead(head);
  if (!p || p.tag !== 3 || p.length === undefined) return { ok: false, why: "not an OpenPGP message encrypted with a password (no SKESK packet first)" };
  const end = p.bodyOffset + p.length;
  if (end > head.length) return { ok: false, why: "truncated SKESK packet" };
  const next = readPacketHead(head, end);
  if (!next || next.tag !== 18 || head[next.bodyOffset] !== 2) return { ok: false, why: "the data must be AEAD-protected (SEIPD version 2)" };
  return { ok: true, skesk: head.slice(0, end) };
}

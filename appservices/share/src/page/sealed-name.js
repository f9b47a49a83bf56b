// File names never reach the share service in clear. The agent's client (or, for a reply, the
// citizen's page) seals the name with AES-256-GCM under a key derived from the link's fragment —
// the part of an address browsers never send — and the service only stores and returns the sealed
// form; whoever holds the whole link opens it. For a share the fragment is a fresh random key; for a
// reply link it is the link's secret. Plain JavaScript (types in sealed-name.d.ts) so that the static
// pages load this very file (/static/sealed-name.js) and the client and Node import it.
const encoder = new TextEncoder();

/** What the service accepts as a sealed name: base64url of IV (12) + ciphertext (≥ 1) + tag (16). */
export const SEALED_NAME = /^[A-Za-z0-9_-]{39,1400}$/;

const toBase64Url = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function keyOf(fragment, usage) {
  const raw = await crypto.subtle.digest("SHA-256", encoder.encode(`entente-share-name\n${fragment}`));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** A share link's fragment: 256 random bits, URL-safe. */
export function nameKey() {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sealName(name, fragment) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyOf(fragment, "encrypt"), encoder.encode(name)));
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv);
  out.set(sealed, 12);
  return toBase64Url(out);
}

/** The name, or undefined when the fragment is not the one it was sealed with (or it was altered). */
export async function openName(sealed, fragment) {
  if (typeof sealed !== "string" || !SEALED_NAME.test(sealed)) return undefined;
  const bytes = fromBase64Url(sealed);
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) }, await keyOf(fragment, "decrypt"), bytes.subarray(12));
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}

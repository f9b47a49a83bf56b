// Types of sealed-name.js (plain JavaScript so the static pages load the same file).
export const SEALED_NAME: RegExp;
/** A share link's fragment: 256 random bits, URL-safe. */
export function nameKey(): string;
/** `name` sealed with AES-256-GCM under a key derived from `fragment`, base64url. */
export function sealName(name: string, fragment: string): Promise<string>;
/** The name, or undefined when the fragment is not the one it was sealed with (or it was altered). */
export function openName(sealed: unknown, fragment: string): Promise<string | undefined>;

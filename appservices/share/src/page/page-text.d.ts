// Types of page-text.js (plain JavaScript so the recipient page loads the same file).
export function sizeText(n: number): string;
export function storedSizeText(n: number): string;
export function untilText(ms: number | string, timeZone?: string): string;

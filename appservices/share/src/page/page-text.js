// Sizes and dates as the recipient page writes them, in French (plain JavaScript so the page loads
// the same file the unit test checks). The service stores the encrypted size: a few hundred bytes
// more than the file (password packet, name, integrity tags), so under 1 ko the page says « moins
// de 1 ko » before the download, and the exact size once the file is decrypted.

/** "44 o", "12 ko", "3,0 Mo", "1,2 Go" (1 ko = 1024 o, as the web client counts). */
export function sizeText(n) {
  if (n < 1024) return `${n} o`;
  if (n < 1048576) return `${Math.round(n / 1024)} ko`;
  const [v, unit] = n < 1073741824 ? [n / 1048576, "Mo"] : [n / 1073741824, "Go"];
  return `${v.toLocaleString("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${unit}`;
}

/** The size of an encrypted upload, before decryption (its envelope makes small files look bigger). */
export function storedSizeText(n) {
  return n < 1024 ? "moins de 1 ko" : sizeText(n);
}

/** "14 décembre 2026 à 23:04" in the reader's time zone (timeZone only for tests). */
export function untilText(ms, timeZone) {
  return new Date(ms).toLocaleString("fr-FR", { dateStyle: "long", timeStyle: "short", ...(timeZone ? { timeZone } : {}) });
}

// What the share service's two static pages (recipient.js, drop.js) have in common: the status
// and error lines, the service's refusal in French, a stream read whole into memory.
export const $ = (sel) => document.querySelector(sel);

export const say = (text) => void ($("#status").textContent = text);

export const fail = (text) => {
  $("#error").textContent = text;
  say("");
};

/** The French message of a refused request, or `fallback` when the answer carries none. */
export const refusal = async (res, fallback) => {
  const body = await res.json().catch(() => ({}));
  return typeof body.message === "string" ? body.message : fallback;
};

/** Every chunk of a stream, for a Blob (the pages' fallback when nothing can be streamed). */
export async function collect(stream) {
  const parts = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return parts;
    parts.push(value);
  }
}

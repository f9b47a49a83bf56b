// Entente: streamed downloads to disk where the File System Access API is missing (Firefox,
// Safari, headless Chromium). The page decrypts and verifies a file, and hands this worker a
// ReadableStream of the plaintext (a transferable stream); a hidden frame then opens
// ./__entente_download__/<id>, which this worker answers with that stream as an attachment, so the
// browser writes it to disk as it comes and the page keeps no copy. Registered with the scope
// ./__entente_download__/ only: it controls no page of the client.
// Plain JavaScript: it is copied as is from public/ to the built client.
"use strict";

/** id -> { stream, name, type, size }; taken once, by the frame's request. */
const pending = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const d = event.data;
  if (!d || typeof d !== "object") return;
  if (d.type === "entente-download" && typeof d.id === "string" && d.stream instanceof ReadableStream) {
    pending.set(d.id, { stream: d.stream, name: String(d.name || "fichier"), type: String(d.mimetype || "application/octet-stream"), size: d.size });
    // Unclaimed after a minute (the frame never came): drop it.
    setTimeout(() => {
      const p = pending.get(d.id);
      if (p) {
        pending.delete(d.id);
        p.stream.cancel("not requested").catch(() => undefined);
      }
    }, 60_000);
    event.ports[0]?.postMessage({ ready: d.id });
  }
  // {type: "entente-ping"} messages only keep the worker alive during a long download.
});

/** RFC 6266 / 8187: an ASCII fallback plus the UTF-8 name. */
function disposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const utf8 = encodeURIComponent(name).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const m = /\/__entente_download__\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (!m) return;
  const p = pending.get(m[1]);
  if (!p) {
    event.respondWith(new Response("Téléchargement introuvable ou déjà terminé.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
    return;
  }
  pending.delete(m[1]);
  const headers = {
    "Content-Type": p.type,
    "Content-Disposition": disposition(p.name),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  };
  if (Number.isSafeInteger(p.size) && p.size >= 0) headers["Content-Length"] = String(p.size);
  event.respondWith(new Response(p.stream, { headers }));
});

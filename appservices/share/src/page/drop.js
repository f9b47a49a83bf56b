// The citizen's reply page: the secret is the link's fragment (never sent to the service); the
// chosen file is encrypted with it in the page (OpenPGP, AEAD + Argon2, as share-client.ts does)
// and uploaded once. The service refuses anything but such a message, and a second upload.
import * as openpgp from "/static/openpgp.min.mjs";
import { $, collect, fail, refusal as refusalOf, say } from "/static/page-common.js";
import { sealName } from "/static/sealed-name.js";
import { untilText } from "/static/page-text.js";

const id = location.pathname.split("/")[2] ?? "";
const secret = decodeURIComponent(location.hash.slice(1));
const refusal = (res) => refusalOf(res, "Le service de dépôt est indisponible. Réessayez plus tard.");

const metaRes = await fetch(`/d/${id}/meta`);
if (secret.length < 16) {
  $("#info").textContent = "";
  fail("Ce lien de dépôt est incomplet. Copiez l'adresse reçue en entier.");
} else if (!metaRes.ok) {
  $("#info").textContent = "";
  fail(await refusal(metaRes));
} else {
  const meta = await metaRes.json();
  $("#info").textContent = `Vous pouvez envoyer un document jusqu'au ${untilText(meta.expires_at)}.`;
  $("#form").hidden = false;
  // The file field is ours (page.css): the browser's own says « Choose File » in its language.
  const chosen = () => void ($("#file-chosen").textContent = $("#file").files?.[0]?.name ?? "Aucun document choisi");
  $("#file").addEventListener("change", chosen);
  // A document dropped on the form is taken as if chosen (the hidden input receives no drop itself).
  $("#form").addEventListener("dragover", (ev) => ev.preventDefault());
  $("#form").addEventListener("drop", (ev) => {
    ev.preventDefault();
    const files = ev.dataTransfer?.files;
    if (!files || files.length === 0) return;
    $("#file").files = files;
    $("#error").textContent = "";
    chosen();
  });
  $("#form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const file = $("#file").files?.[0];
    if (file) void send(file, meta);
    else fail("Choisissez d'abord le document à envoyer.");
  });
}

async function send(file, meta) {
  $("#error").textContent = "";
  if (file.size > meta.max_bytes) return fail("Ce document est trop volumineux.");
  $("#form").querySelector("button").disabled = true;
  try {
    say("Chiffrement…");
    const message = await openpgp.createMessage({ binary: file.stream(), filename: file.name, format: "binary" });
    const encrypted = await openpgp.encrypt({
      message, passwords: [secret], format: "binary",
      config: { aeadProtect: true, s2kType: openpgp.enums.s2k.argon2, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
    });
    const parts = await collect(encrypted);
    say("Envoi…");
    // The name goes sealed with the link's secret: the service never sees it (sealed-name.js).
    const res = await fetch(`/d/${id}/data?sealed_name=${await sealName(file.name, secret)}`, { method: "POST", body: new Blob(parts), headers: { "Content-Type": "application/octet-stream" } });
    if (!res.ok) {
      $("#form").querySelector("button").disabled = false;
      return fail(await refusal(res));
    }
    $("#form").hidden = true;
    say("Document chiffré et envoyé. Vous pouvez fermer cette page.");
    document.body.dataset["done"] = "1";
  } catch {
    $("#form").querySelector("button").disabled = false;
    fail("Le document n'a pas pu être chiffré ou envoyé. Réessayez.");
  }
}

// The recipient's page: checks the password against the message's first packet (no download is
// counted for a wrong password), then asks where to save and streams the ciphertext through
// openpgp's decryption into the file chosen with the File System Access API (memory bounded by
// openpgp's chunks), or, where that API is missing, into a Blob saved as a download. The save
// dialog comes after the password check: a wrong password shows no dialog (and leaves no empty
// file where the dialog made one); if the check outlasted the click's user activation, a second
// button opens the dialog. The file's name is sealed with the link's
// fragment (sealed-name.js): the service does not know it; a link without its fragment still
// downloads, the name then comes from the decrypted message.
import * as openpgp from "/static/openpgp.min.mjs";
import { $, collect, fail, refusal as refusalOf, say } from "/static/page-common.js";
import { openName } from "/static/sealed-name.js";
import { sizeText, storedSizeText, untilText } from "/static/page-text.js";

const id = location.pathname.split("/")[2] ?? "";
const fragment = decodeURIComponent(location.hash.slice(1));
const refusal = (res) => refusalOf(res, "Le service de partage est indisponible. Réessayez plus tard.");

const metaRes = await fetch(`/s/${id}/meta`);
if (!metaRes.ok) {
  $("#info").textContent = "";
  fail(await refusal(metaRes));
} else {
  const meta = await metaRes.json();
  meta.name = typeof meta.name === "string" ? meta.name : fragment !== "" ? await openName(meta.sealed_name, fragment) : undefined;
  const until = untilText(meta.expires_at);
  $("#info").textContent = meta.name !== undefined
    ? `« ${meta.name} » (${storedSizeText(meta.size)}), disponible jusqu'au ${until}.`
    : `Un fichier chiffré (${storedSizeText(meta.size)}), disponible jusqu'au ${until}. Son nom s'affichera après le déchiffrement${fragment === "" ? " (l'adresse reçue semble incomplète : la partie après « # » manque)" : ""}.`;
  $("#form").hidden = false;
  $("#form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    void receive(meta, $("#password").value);
  });
}

/**
 * The file to write to, chosen in the browser's save dialog: at once while the submit click still
 * counts as a user gesture, else after a click on « Choisir où enregistrer » (the dialog refuses
 * to open without one). Undefined: the person closed the dialog.
 */
async function chooseFile(meta) {
  const open = async () => (await window.showSaveFilePicker({ suggestedName: meta.name ?? "fichier" })).createWritable();
  if (navigator.userActivation?.isActive !== false) {
    try {
      return await open();
    } catch (e) {
      if (!(e instanceof DOMException) || e.name !== "SecurityError") return undefined;
    }
  }
  // A fresh button: a listener left by an earlier try (submitted again meanwhile) must not open a second dialog.
  const button = $("#save").cloneNode();
  $("#save").replaceWith(button);
  button.textContent = meta.name !== undefined ? `Choisir où enregistrer « ${meta.name} »` : "Choisir où enregistrer le fichier";
  button.hidden = false;
  say("Mot de passe correct. Choisissez où enregistrer le fichier.");
  button.focus();
  await new Promise((resolve) => button.addEventListener("click", resolve, { once: true }));
  button.hidden = true;
  try {
    return await open();
  } catch {
    return undefined;
  }
}

async function receive(meta, password) {
  $("#error").textContent = "";
  $("#save").hidden = true;
  say("Vérification du mot de passe…");
  const keyRes = await fetch(`/s/${id}/key`);
  if (!keyRes.ok) return fail(await refusal(keyRes));
  let sessionKeys;
  try {
    const head = await openpgp.readMessage({ binaryMessage: new Uint8Array(await keyRes.arrayBuffer()), config: { enforceGrammar: false } });
    sessionKeys = await openpgp.decryptSessionKeys({ message: head, passwords: [password] });
  } catch {
    return fail("Mot de passe incorrect. Vérifiez le mot de passe reçu et réessayez.");
  }
  let writable;
  if (typeof window.showSaveFilePicker === "function") {
    writable = await chooseFile(meta);
    if (writable === undefined) return fail("Enregistrement annulé : cliquez de nouveau sur « Télécharger et déchiffrer » pour choisir où enregistrer le fichier.");
  }
  say("Téléchargement et déchiffrement…");
  const dataRes = await fetch(`/s/${id}/data`);
  if (!dataRes.ok || !dataRes.body) {
    await writable?.abort();
    return fail(await refusal(dataRes));
  }
  try {
    const message = await openpgp.readMessage({ binaryMessage: dataRes.body });
    const { data: decrypted, filename } = await openpgp.decrypt({ message, sessionKeys, format: "binary" });
    // The exact size, counted as the bytes go by (the service only knows the encrypted one).
    let bytes = 0;
    const data = decrypted.pipeThrough(new TransformStream({ transform(chunk, c) { bytes += chunk.length; c.enqueue(chunk); } }));
    if (writable) {
      await data.pipeTo(writable);
    } else {
      const parts = await collect(data);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(parts, { type: "application/octet-stream" }));
      a.download = meta.name ?? (filename || "fichier");
      document.body.append(a);
      a.click();
    }
    say(`Fichier déchiffré et enregistré (${sizeText(bytes)}).`);
    document.body.dataset["done"] = "1";
  } catch {
    await writable?.abort().catch(() => undefined);
    fail("Le fichier reçu est endommagé et n'a pas pu être déchiffré.");
  }
}

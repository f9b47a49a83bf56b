import assert from "node:assert/strict";
import { MediaHttpError } from "../../../../appservices/files/src/chunked/media-transport.ts";
import { WorkerDownloadFailed } from "../../core/dossiers/disk-sink.ts";
import { dossierTranslator } from "./dossier-messages.ts";
import { downloadFailureText } from "./download-failure.ts";

describe("client dossiers: why a download failed, in French (then English)", () => {
  const fr = dossierTranslator("fr");
  const en = dossierTranslator("en");
  const failed = (code: WorkerDownloadFailed["code"], status?: number): WorkerDownloadFailed => new WorkerDownloadFailed({ type: "failed", code, message: "english detail", ...(status === undefined ? {} : { status }) });
  const quiet = (): void => undefined;

  it("turns the worker's codes into sentences with no English detail", () => {
    assert.match(downloadFailureText(failed("stalled"), fr, quiet), /ne répond plus.*« Reprendre »/);
    assert.equal(downloadFailureText(failed("not-requested"), fr, quiet), "le navigateur n'a pas lancé le téléchargement");
    assert.equal(downloadFailureText(failed("http", 401), fr, quiet), "le serveur a refusé l'accès (HTTP 401) : reconnectez-vous puis recommencez");
    assert.equal(downloadFailureText(failed("http", 502), fr, quiet), "le serveur a répondu par une erreur (HTTP 502)");
    assert.equal(downloadFailureText(failed("network"), fr, quiet), "réseau ou serveur injoignable après plusieurs essais");
    assert.equal(downloadFailureText(failed("response"), en, quiet), "the browser could not prepare the file");
    assert.equal(downloadFailureText(failed("stalled"), en, quiet).startsWith("the browser's download service stopped answering"), true);
  });

  it("the page's own downloader errors too; anything else says « erreur inattendue » and logs the detail", () => {
    assert.equal(downloadFailureText(new MediaHttpError(403, "M_FORBIDDEN", "download: HTTP 403"), fr, quiet), "le serveur a refusé l'accès (HTTP 403) : reconnectez-vous puis recommencez");
    assert.equal(downloadFailureText(new TypeError("Failed to fetch"), fr, quiet), "réseau ou serveur injoignable après plusieurs essais");
    const logged: unknown[] = [];
    const e = new Error("bad key length");
    assert.equal(downloadFailureText(e, fr, (d) => logged.push(d)), "erreur inattendue (détail dans la console du navigateur)");
    assert.deepEqual(logged, [e]);
    assert.ok(!downloadFailureText(failed("other"), fr, quiet).includes("english detail"));
  });
});

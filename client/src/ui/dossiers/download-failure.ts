// Why a dossier download failed, in the agent's language: the service worker's reason codes
// (worker-download.ts `WorkerFailure`) and the page downloader's errors become a sentence of the
// messages table; the English detail of an unexpected error goes to the console only.
import { WorkerDownloadFailed } from "../../core/dossiers/disk-sink.ts";
import { MediaHttpError } from "../../../../appservices/files/src/chunked/media-transport.ts";
import type { DossierTranslate } from "./dossier-messages.ts";

function http(status: number, tr: DossierTranslate): string {
  if (status === 0) return tr("failed_network");
  return tr(status === 401 || status === 403 ? "failed_denied" : "failed_http", { status: String(status) });
}

/** The `{error}` of « {name} n'a pas pu être téléchargé : {error} ». */
export function downloadFailureText(e: unknown, tr: DossierTranslate, log: (detail: unknown) => void = (d) => console.warn("download failed:", d)): string {
  if (e instanceof WorkerDownloadFailed) {
    switch (e.code) {
      case "stalled": return tr("failed_stalled");
      case "not-requested": return tr("failed_notRequested");
      case "http": return http(e.status ?? 0, tr);
      case "network": return tr("failed_network");
      case "response": return tr("failed_response");
      default: break;
    }
  } else if (e instanceof MediaHttpError) {
    return http(e.status, tr);
  } else if (e instanceof TypeError) {
    return tr("failed_network"); // fetch's "Failed to fetch"
  }
  log(e);
  return tr("failed_other");
}

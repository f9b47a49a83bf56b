import assert from "node:assert/strict";
import { MediaHttpError } from "../../../../appservices/files/src/chunked/media-transport.ts";
import { DownloadIntegrityError } from "./protocol.ts";
import { failureReport, safeMimetype, WorkerStop } from "./worker-download.ts";

describe("client dossiers: the download worker's headers and failure reports", () => {
  it("keeps a plain type/subtype, replaces anything else with application/octet-stream", () => {
    for (const ok of ["application/pdf", "application/vnd.oasis.opendocument.text", "image/svg+xml", "text/x-c++"]) assert.equal(safeMimetype(ok), ok);
    for (const bad of ["text/plain\r\nX-Evil: 1", "text/plain; charset=utf-8", "texte/été", "image/\u0100", "application/pdf\n", "", "pdf", undefined, 42, null]) {
      assert.equal(safeMimetype(bad), "application/octet-stream", JSON.stringify(bad));
    }
  });

  it("gives each failure a code the page translates; a cancel says who cancelled", () => {
    assert.equal(failureReport(new MediaHttpError(401, "M_UNKNOWN_TOKEN", "download: HTTP 401 …")).code, "http");
    assert.equal(failureReport(new MediaHttpError(401, undefined, "x")).status, 401);
    assert.equal(failureReport(new MediaHttpError(0, undefined, "part 2: connection closed")).code, "network");
    assert.equal(failureReport(new TypeError("Failed to fetch")).code, "network");
    const integrity = failureReport(new DownloadIntegrityError("hash_mismatch", 3, "part 3"));
    assert.deepEqual([integrity.code, integrity.integrity], ["integrity", { reason: "hash_mismatch", part: 3 }]);
    assert.equal(failureReport(new Error("bad key")).code, "other");
    const stop = new AbortController();
    stop.abort(new WorkerStop("browser-cancelled"));
    assert.equal(failureReport(new TypeError("stream cancelled"), stop.signal).code, "browser-cancelled");
  });
});

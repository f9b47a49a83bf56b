import assert from "node:assert/strict";
import type { FileVersion } from "./dossier-model.ts";
import { isPdf, previewKind } from "./preview-kind.ts";

const version = (o: Partial<FileVersion>): FileVersion => ({
  eventId: "$v", name: "plan.pdf", msgtype: "m.file", mimetype: "application/pdf", size: 1000, sender: "@a:a", ts: 0,
  file: {}, url: undefined, parts: false, thumbnail: undefined, ...o,
});

describe("client core: which dossier versions get a preview", () => {
  it("previews images and small PDFs, never a file in parts", () => {
    assert.equal(previewKind(version({})), "pdf");
    assert.equal(previewKind(version({ msgtype: "m.image", mimetype: "image/png", name: "a.png" })), "image");
    assert.equal(previewKind(version({ size: 20 * 1024 * 1024 + 1 })), undefined, "too large");
    assert.equal(previewKind(version({ size: undefined })), undefined, "size unknown");
    assert.equal(previewKind(version({ parts: true })), undefined, "in parts");
    assert.equal(previewKind(version({ mimetype: "application/vnd.oasis.opendocument.spreadsheet", name: "budget.ods" })), undefined);
  });

  it("knows a PDF by its type, or by its name when the type says nothing", () => {
    assert.ok(isPdf({ mimetype: "application/pdf", name: "x" }));
    assert.ok(isPdf({ mimetype: undefined, name: "Délibération.PDF" }));
    assert.ok(isPdf({ mimetype: "application/octet-stream", name: "a.pdf" }));
    assert.ok(!isPdf({ mimetype: "text/plain", name: "a.pdf" }));
  });
});

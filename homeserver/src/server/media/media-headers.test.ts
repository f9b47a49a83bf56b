import assert from "node:assert/strict";
import { checkFileName, contentDisposition, isInlineSafe, mimeEssence, normaliseContentType } from "./media-headers.ts";
import { MatrixError } from "../../spec/matrix-error.ts";

describe("media headers", () => {
  it("keeps valid content types and defaults missing or malformed ones", () => {
    assert.equal(normaliseContentType("image/png"), "image/png");
    assert.equal(normaliseContentType(" text/plain; charset=utf-8 "), "text/plain; charset=utf-8");
    assert.equal(normaliseContentType(undefined), "application/octet-stream");
    assert.equal(normaliseContentType(""), "application/octet-stream");
    assert.equal(normaliseContentType("image/png\r\nX-Evil: 1"), "application/octet-stream");
    assert.equal(normaliseContentType("notatype"), "application/octet-stream");
  });
  it("serves inline only the spec's allow-list", () => {
    assert.equal(mimeEssence("Image/PNG; x=y"), "image/png");
    assert.ok(isInlineSafe("image/png"));
    assert.ok(isInlineSafe("text/plain; charset=utf-8"));
    assert.ok(!isInlineSafe("text/html"));
    assert.ok(!isInlineSafe("image/svg+xml"));
    assert.ok(!isInlineSafe("application/octet-stream"));
  });
  it("formats Content-Disposition without letting the name break the header", () => {
    assert.equal(contentDisposition("inline", undefined), "inline");
    assert.equal(contentDisposition("attachment", "report.pdf"), 'attachment; filename="report.pdf"');
    assert.equal(contentDisposition("inline", "délibération 2024.pdf"), "inline; filename*=utf-8''d%C3%A9lib%C3%A9ration%202024.pdf");
    assert.equal(contentDisposition("attachment", 'a"b.txt'), "attachment; filename*=utf-8''a%22b.txt");
  });
  it("rejects control characters and over-long file names", () => {
    assert.equal(checkFileName("ok.txt"), "ok.txt");
    assert.throws(() => checkFileName("a\nb"), (e: unknown) => e instanceof MatrixError && e.errcode === "M_INVALID_PARAM");
    assert.throws(() => checkFileName("x".repeat(256)), MatrixError);
    assert.throws(() => checkFileName(""), MatrixError);
  });
});

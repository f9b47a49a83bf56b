import assert from "node:assert/strict";
import { sizeText, storedSizeText, untilText } from "./page/page-text.js";

describe("share recipient page: sizes and dates in French", () => {
  it("says bytes under 1 ko (a 44-byte file is « 44 o », not « 1 ko »), then ko, Mo with a decimal comma, Go", () => {
    assert.equal(sizeText(44), "44 o");
    assert.equal(sizeText(0), "0 o");
    assert.equal(sizeText(12 * 1024 + 100), "12 ko");
    assert.equal(sizeText(3 * 1048576 + 17), "3,0 Mo");
    assert.equal(sizeText(1.25 * 1073741824), "1,3 Go");
    assert.equal(storedSizeText(260), "moins de 1 ko");
    assert.equal(storedSizeText(5000), "5 ko");
  });
  it("gives the expiry as a day and an hour, without seconds", () => {
    assert.equal(untilText(Date.UTC(2026, 11, 14, 22, 4, 31), "Europe/Paris"), "14 décembre 2026 à 23:04");
  });
});

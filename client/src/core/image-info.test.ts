import { strict as assert } from "node:assert";
import { imageInfoOf, previewBox } from "./image-info.ts";

describe("client image previews (m.image info)", () => {
  it("reads size, alt text and an encrypted or plain thumbnail", () => {
    const plain = imageInfoOf({ msgtype: "m.image", body: "plan.png", url: "mxc://a/b", info: { w: 800, h: 600, thumbnail_url: "mxc://a/t", thumbnail_info: { mimetype: "image/png", size: 10 } } });
    assert.deepEqual(plain, { w: 800, h: 600, alt: "plan.png", thumbnail: { name: "plan.png", mimetype: "image/png", size: 10, url: "mxc://a/t", encrypted: undefined } });
    const file = { url: "mxc://a/et", key: { k: "x" }, iv: "y", hashes: { sha256: "z" }, v: "v2" };
    assert.deepEqual(imageInfoOf({ body: "photo.jpg", info: { thumbnail_file: file } }).thumbnail?.encrypted, file);
  });
  it("ignores nonsense sizes and a missing info block", () => {
    assert.deepEqual(imageInfoOf({ body: "x", info: { w: "800", h: -3 } }), { w: undefined, h: undefined, alt: "x", thumbnail: undefined });
    assert.deepEqual(imageInfoOf({}), { w: undefined, h: undefined, alt: "", thumbnail: undefined });
  });
  it("fits the preview box without enlarging", () => {
    assert.deepEqual(previewBox(800, 600), { width: 320, height: 240 });
    assert.deepEqual(previewBox(100, 1000), { width: 24, height: 240 });
    assert.deepEqual(previewBox(40, 30), { width: 40, height: 30 });
    assert.deepEqual(previewBox(undefined, 30), { width: 320, height: 240 });
  });
});

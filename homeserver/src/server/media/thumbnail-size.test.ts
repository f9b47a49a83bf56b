import assert from "node:assert/strict";
import { thumbnailSize } from "./thumbnail-size.ts";

describe("thumbnailSize", () => {
  it("returns the original when it is not larger than the request", () => {
    assert.equal(thumbnailSize({ width: 30, height: 20 }, { width: 32, height: 32 }, "crop"), undefined);
    assert.equal(thumbnailSize({ width: 30, height: 20 }, { width: 32, height: 32 }, "scale"), undefined);
  });
  it("scale keeps the aspect ratio and never goes below the request", () => {
    assert.deepEqual(thumbnailSize({ width: 1000, height: 750 }, { width: 320, height: 240 }, "scale"), { width: 320, height: 240 });
    assert.deepEqual(thumbnailSize({ width: 1000, height: 750 }, { width: 96, height: 96 }, "scale"), { width: 128, height: 96 });
    assert.deepEqual(thumbnailSize({ width: 800, height: 2000 }, { width: 100, height: 100 }, "scale"), { width: 100, height: 250 });
    assert.deepEqual(thumbnailSize({ width: 640, height: 480 }, { width: 100, height: 100 }, "scale"), { width: 133, height: 100 });
  });
  it("scale does not upscale: an original narrower than the request is served as is", () => {
    assert.equal(thumbnailSize({ width: 100, height: 1000 }, { width: 200, height: 200 }, "scale"), undefined);
  });
  it("crop returns exactly the requested size when the original is large enough", () => {
    assert.deepEqual(thumbnailSize({ width: 1000, height: 750 }, { width: 32, height: 32 }, "crop"), { width: 32, height: 32 });
    assert.deepEqual(thumbnailSize({ width: 640, height: 480 }, { width: 96, height: 96 }, "crop"), { width: 96, height: 96 });
  });
  it("crop without upscaling when one side of the original is smaller", () => {
    assert.deepEqual(thumbnailSize({ width: 100, height: 1000 }, { width: 200, height: 200 }, "crop"), { width: 100, height: 200 });
  });
});

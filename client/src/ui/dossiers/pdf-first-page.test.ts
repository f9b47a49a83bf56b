// pdf.js parses PDFs any dossier member may send. Older pdf.js compiled a document's PostScript
// functions with `new Function` unless `isEvalSupported: false` was given; 6.x has neither the
// option nor the code. This checks what we ship (the worker imported with ?url, the library from
// the package's main): should an upgrade bring eval back, this fails and pdf-first-page.ts must
// turn it off.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** `new Function(`, `Function(`, `eval(` as code (not as part of a longer name or a property). */
const EVAL = /(?<![\w$.])(?:new\s+Function|Function|eval)\s*\(/;

describe("client dossiers: the pdf.js we ship compiles nothing from a document", () => {
  it("finds eval in a sample of the old code (the pattern works)", () => {
    assert.match('var fn=new Function("src","srcOffset","dest","destOffset",body)', EVAL);
    assert.match("x=eval(code)", EVAL);
    assert.doesNotMatch("new FunctionBasedShading(dict);a.evaluate(p);isFunction(x)", EVAL);
  });

  for (const file of ["pdfjs-dist/build/pdf.worker.min.mjs", "pdfjs-dist"]) {
    it(`${file}: no new Function / eval, and no isEvalSupported option to set`, () => {
      const code = readFileSync(require.resolve(file), "utf8");
      assert.doesNotMatch(code, EVAL);
      assert.doesNotMatch(code, /isEvalSupported/);
    });
  }
});

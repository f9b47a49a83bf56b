import { strict as assert } from "node:assert";
import { buttonKey, menuKey } from "./menu-keys.ts";

describe("client ui: menu button keys (WAI-ARIA APG)", () => {
  const items = ["Nouvelle version", "Versions", "Partager", "Renommer", "Déplacer…", "Supprimer"];

  it("opens from the button on the first item (Down) or the last (Up); Enter and Space are the button's click", () => {
    assert.equal(buttonKey("ArrowDown"), "first");
    assert.equal(buttonKey("Enter"), undefined);
    assert.equal(buttonKey("ArrowUp"), "last");
    assert.equal(buttonKey("a"), undefined);
    assert.equal(buttonKey("Tab"), undefined);
  });

  it("moves with Down/Up (wrapping), Home/End, and closes with Escape and Tab", () => {
    assert.deepEqual(menuKey("ArrowDown", 0, items), { focus: 1 });
    assert.deepEqual(menuKey("ArrowDown", 5, items), { focus: 0 }, "wraps to the first");
    assert.deepEqual(menuKey("ArrowUp", 0, items), { focus: 5 }, "wraps to the last");
    assert.deepEqual(menuKey("Home", 3, items), { focus: 0 });
    assert.deepEqual(menuKey("End", 1, items), { focus: 5 });
    assert.deepEqual(menuKey("Escape", 2, items), { close: "escape" });
    assert.deepEqual(menuKey("Tab", 2, items), { close: "tab" });
    assert.equal(menuKey("Enter", 2, items), undefined, "Enter is the item's own (a button)");
    assert.equal(menuKey(" ", 2, items), undefined);
    assert.equal(menuKey("Shift", 2, items), undefined);
  });

  it("type-ahead: the next item starting with the character, case-insensitive, after the current one", () => {
    assert.deepEqual(menuKey("r", 0, items), { focus: 3 });
    assert.deepEqual(menuKey("V", 4, items), { focus: 1 }, "wraps");
    assert.deepEqual(menuKey("d", 0, items), { focus: 4 }, "accented letter after the first one");
    assert.equal(menuKey("z", 0, items), undefined);
    assert.deepEqual(menuKey("Escape", 0, []), { close: "escape" }, "an empty menu still closes");
  });
});

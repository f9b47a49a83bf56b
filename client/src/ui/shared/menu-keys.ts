// The keyboard of a WAI-ARIA menu button, as pure functions (menu-button.ts applies them):
// https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/ and .../patterns/menubar/ (menu keys).
// On the button: Down opens on the first item, Up on the last (Enter and Space are its click,
// which opens on the first item). In the open menu:
// Down/Up move (wrapping), Home/End, Escape closes (focus back on the button), Tab closes (focus
// goes on from the button), a printable character moves to the next item starting with it.

/** What the button does with a key: open with the focus on the first or last item, or nothing. */
export function buttonKey(key: string): "first" | "last" | undefined {
  if (key === "ArrowDown") return "first";
  if (key === "ArrowUp") return "last";
  return undefined;
}

export type MenuMove = { focus: number } | { close: "escape" | "tab" } | undefined;

/**
 * What the open menu does with a key, the focus being on item `index` of `texts` (the items'
 * visible texts, in order). Enter and Space are the items' own (they are buttons).
 */
export function menuKey(key: string, index: number, texts: readonly string[]): MenuMove {
  const n = texts.length;
  if (n === 0) return key === "Escape" ? { close: "escape" } : undefined;
  switch (key) {
    case "ArrowDown": return { focus: (index + 1) % n };
    case "ArrowUp": return { focus: (index - 1 + n) % n };
    case "Home": case "PageUp": return { focus: 0 };
    case "End": case "PageDown": return { focus: n - 1 };
    case "Escape": return { close: "escape" };
    case "Tab": return { close: "tab" };
  }
  if ([...key].length !== 1 || key === " ") return undefined;
  // Type-ahead: the next item (after the current one, wrapping) whose text starts with the key.
  const c = key.toLocaleLowerCase();
  for (let step = 1; step <= n; step++) {
    const i = (index + step) % n;
    if ((texts[i] ?? "").trim().toLocaleLowerCase().startsWith(c)) return { focus: i };
  }
  return undefined;
}

// Runs before main.ts (its own tiny entry in index.html): with a saved session, the room-list /sync
// starts while the application's JavaScript is still loading and parsing, ~0.3 s earlier on this
// machine's page load. main.ts picks the promise up; nothing here may grow (it is on that path).
import { fetchRoomPreview } from "./core/room-list-preview.ts";
import { loadSession } from "./core/sign-in.ts";
import { EARLY_PREVIEW_KEY, type EarlyPreviewHolder } from "./core/early-preview-slot.ts";

const saved = loadSession(localStorage);
if (saved !== undefined) (globalThis as EarlyPreviewHolder)[EARLY_PREVIEW_KEY] = { session: saved, rooms: fetchRoomPreview(saved, (u, i) => fetch(u, i)) };

// Where each running widget goes when the agent moves around: the widget open in the viewed room's
// panel stays in the panel; one that asked to stay on screen (a meeting) shrinks to the small view
// when the agent opens another room or closes the panel; any other is closed. Frames are never
// moved in the DOM (an iframe that moves reloads, which would drop the meeting): only styled.
export type FrameMode = "panel" | "pip" | "close";

export interface RunningFrame { key: string; roomId: string; alwaysOnScreen: boolean }
export interface StageView { roomId: string; panelOpen: boolean; openKey: string | undefined }

export const frameKey = (roomId: string, widgetId: string): string => `${roomId}|${widgetId}`;

export function frameModes(frames: readonly RunningFrame[], view: StageView, stillInRoom: (key: string) => boolean): Map<string, FrameMode> {
  const modes = new Map<string, FrameMode>();
  for (const f of frames) {
    // Removed from the room (by anyone): closed wherever it is shown.
    if (!stillInRoom(f.key)) modes.set(f.key, "close");
    else if (view.panelOpen && f.roomId === view.roomId && f.key === view.openKey) modes.set(f.key, "panel");
    else modes.set(f.key, f.alwaysOnScreen ? "pip" : "close");
  }
  return modes;
}

// The folder view's previews controller with a fake port (the one faked module): a PDF's download
// and an image's preview get a signal, aborted when the view goes (nothing recorded then, asked
// again when it is back), and the cap applies to the bytes counted, not to the size the message declares.
import assert from "node:assert/strict";
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { FileVersion } from "../../core/dossiers/dossier-model.ts";
import type { DossiersPort } from "../../core/dossiers/dossiers-port.ts";
import { DossierPreviews } from "./dossier-previews.ts";

const pdf = (id: string, size: number): FileVersion => ({
  eventId: id, name: "plan.pdf", msgtype: "m.file", mimetype: "application/pdf", size, sender: "@alice:a.test", ts: 0,
  file: undefined, url: "mxc://a.test/x", parts: false, thumbnail: undefined,
});

/** A port whose download reports `chunks` decrypted bytes one by one, then waits for its signal. */
function fakePort(chunks: number[]): { port: DossiersPort; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const download = async (_v: FileVersion, onProgress?: (r: number, t: number | undefined) => void, signal?: AbortSignal): Promise<Blob> => {
    if (signal === undefined) throw new Error("no signal given");
    signals.push(signal);
    let received = 0;
    for (const n of chunks) {
      await Promise.resolve();
      if (signal.aborted) throw signal.reason;
      onProgress?.((received += n), undefined);
    }
    return new Promise<Blob>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
  };
  return { port: { download } as unknown as DossiersPort, signals };
}

function host(): ReactiveControllerHost & { updates: number; controllers: ReactiveController[] } {
  const h = {
    updates: 0,
    controllers: [] as ReactiveController[],
    addController(c: ReactiveController) { h.controllers.push(c); },
    removeController() { /* not used */ },
    requestUpdate() { h.updates++; },
    updateComplete: Promise.resolve(true),
  };
  return h;
}

const settled = async (h: { updates: number }, n: number): Promise<void> => {
  while (h.updates < n) await new Promise((r) => setImmediate(r));
};

describe("client dossiers: the previews controller bounds a PDF's download", () => {
  it("aborts the download past the cap although the message declares 1,000 bytes: the plain icon then", async () => {
    const h = host();
    const { port, signals } = fakePort([400, 400, 400]);
    const previews = new DossierPreviews(h, () => port, { maxPdfBytes: 1_000, timeoutMs: 60_000 });
    previews.show(pdf("$a", 1_000));
    assert.equal(previews.states.get("$a"), "loading");
    await settled(h, 1);
    assert.equal(signals[0]?.aborted, true, "the request was aborted");
    assert.equal(signals[0]?.reason instanceof Error && signals[0].reason.name, "PreviewTooLarge");
    assert.equal(previews.states.get("$a"), "failed");
  });

  it("aborts what is in flight when the view goes, records nothing, asks again when it is back", async () => {
    const h = host();
    const { port, signals } = fakePort([10]);
    const previews = new DossierPreviews(h, () => port, { maxPdfBytes: 1_000, timeoutMs: 60_000 });
    previews.show(pdf("$b", 1_000));
    await new Promise((r) => setImmediate(r));
    previews.hostDisconnected();
    assert.equal(signals[0]?.aborted, true, "the view's going aborted the request");
    await new Promise((r) => setImmediate(r));
    assert.equal(previews.states.size, 0, "no « failed » kept for a preview the view stopped");
    previews.hostConnected();
    previews.show(pdf("$b", 1_000));
    assert.equal(signals.length, 2, "asked again");
    assert.equal(signals[1]?.aborted, false, "with a fresh signal");
    previews.hostDisconnected();
  });

  it("gives an image's preview request a signal, aborted when the view goes", async () => {
    const h = host();
    const signals: (AbortSignal | undefined)[] = [];
    const preview = (_v: FileVersion, signal?: AbortSignal): Promise<Blob | undefined> => {
      signals.push(signal);
      return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
    };
    const previews = new DossierPreviews(h, () => ({ preview } as unknown as DossiersPort));
    previews.show({ ...pdf("$img", 5_000), name: "photo.jpg", msgtype: "m.image", mimetype: "image/jpeg" });
    assert.equal(signals.length, 1);
    assert.equal(signals[0]?.aborted, false, "the request runs with the view's signal");
    previews.hostDisconnected();
    assert.equal(signals[0]?.aborted, true, "the view's going aborted the image's request");
    await new Promise((r) => setImmediate(r));
    assert.equal(previews.states.size, 0, "nothing recorded for it");
  });
});

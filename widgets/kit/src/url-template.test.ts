import assert from "node:assert/strict";
import { expandUrlTemplate, templateVariables, type TemplateContext } from "./url-template.ts";

const ctx: TemplateContext = {
  userId: "@alice:ville-a.fr",
  roomId: "!abc:ville-a.fr",
  displayName: "Alice & Co",
  avatarHttpUrl: "https://hs.example/_matrix/media/v3/download/x/y",
  widgetId: "w 1",
  clientId: "fr.entente.client",
  theme: "light",
  language: "fr",
  deviceId: "DEV",
  baseUrl: "https://hs.example",
};

describe("widget kit: URL templates", () => {
  it("expands every $matrix_* variable and the MSC2873 language, URI-encoded", () => {
    const t = "https://w.example/?u=$matrix_user_id&r=$matrix_room_id&n=$matrix_display_name&a=$matrix_avatar_url&w=$matrix_widget_id&l=$org.matrix.msc2873.client_language&th=$org.matrix.msc2873.client_theme&d=$org.matrix.msc3819.matrix_device_id&b=$org.matrix.msc4039.matrix_base_url";
    const out = new URL(expandUrlTemplate(t, templateVariables({}, ctx)));
    assert.equal(out.searchParams.get("u"), "@alice:ville-a.fr");
    assert.equal(out.searchParams.get("r"), "!abc:ville-a.fr");
    assert.equal(out.searchParams.get("n"), "Alice & Co");
    assert.equal(out.searchParams.get("a"), ctx.avatarHttpUrl);
    assert.equal(out.searchParams.get("w"), "w 1");
    assert.equal(out.searchParams.get("l"), "fr");
    assert.equal(out.searchParams.get("th"), "light");
    assert.equal(out.searchParams.get("d"), "DEV");
    assert.equal(out.searchParams.get("b"), "https://hs.example");
  });

  it("expands data fields, but the client's values win over data that lies about the user", () => {
    const vars = templateVariables({ domain: "meet.example", conferenceId: "Conf1", isAudioOnly: false, matrix_user_id: "@mallory:evil", nested: { x: 1 } }, ctx);
    const out = expandUrlTemplate("https://w/#d=$domain&c=$conferenceId&a=$isAudioOnly&u=$matrix_user_id&x=$nested", vars);
    assert.equal(out, "https://w/#d=meet.example&c=Conf1&a=false&u=%40alice%3Aville-a.fr&x=$nested");
  });

  it("never expands a value twice and prefers the longest variable name", () => {
    const vars = templateVariables({ a: "$b", b: "B", ab: "AB" }, { ...ctx, displayName: "$matrix_user_id" });
    assert.equal(expandUrlTemplate("$a-$ab-$matrix_display_name", vars), "%24b-AB-%24matrix_user_id");
  });
});

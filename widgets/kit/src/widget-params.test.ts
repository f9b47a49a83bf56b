import assert from "node:assert/strict";
import { isHosted, parseLanguage, readWidgetParams } from "./widget-params.ts";

describe("widget kit: URL parameters", () => {
  it("reads the widget API parameters from the query and the template values from the fragment", () => {
    const p = readWidgetParams(
      "https://widgets.example/jitsi/?widgetId=w1&parentUrl=https%3A%2F%2Fclient.example%2F%23%2Froom" +
        "#userId=%40alice%3Aville-a.fr&roomId=!r%3Aville-a.fr&displayName=Alice%20Dupont&theme=dark&language=en-GB&avatarUrl=https%3A%2F%2Fhs.example%2Fa.png",
    );
    assert.equal(p.widgetId, "w1");
    assert.equal(p.clientOrigin, "https://client.example");
    assert.equal(p.userId, "@alice:ville-a.fr");
    assert.equal(p.roomId, "!r:ville-a.fr");
    assert.equal(p.displayName, "Alice Dupont");
    assert.equal(p.theme, "dark");
    assert.equal(p.language, "en");
    assert.equal(p.avatarUrl, "https://hs.example/a.png");
    assert.equal(isHosted(p, true), true);
    assert.equal(isHosted(p, false), false, "opened directly, not in a frame");
  });

  it("treats unexpanded templates, junk and missing values as absent, French and light by default", () => {
    const p = readWidgetParams("https://w.example/?widgetId=$matrix_widget_id&parentUrl=javascript:alert(1)#userId=$matrix_user_id&roomId=nope&language=$org.matrix.msc2873.client_language&avatarUrl=mxc://x/y");
    assert.equal(p.widgetId, undefined);
    assert.equal(p.clientOrigin, undefined);
    assert.equal(p.userId, undefined);
    assert.equal(p.roomId, undefined);
    assert.equal(p.avatarUrl, undefined, "only http(s) avatars reach an <img>");
    assert.equal(p.language, "fr");
    assert.equal(p.theme, "light");
    assert.equal(isHosted(p, true), false);
  });

  it("maps languages: English only when asked for, everything else French", () => {
    assert.equal(parseLanguage("en"), "en");
    assert.equal(parseLanguage("EN_us"), "en");
    assert.equal(parseLanguage("fr-FR"), "fr");
    assert.equal(parseLanguage("de"), "fr");
    assert.equal(parseLanguage("eng"), "fr");
  });
});

// Remote HTML is untrusted: DOMPurify with the tags of the spec's recommended list (spec:
// m.room.message msgtypes, "HTML"), no styles, no scripts; links open outside the app.
import DOMPurify from "dompurify";

const ALLOWED_TAGS = ["font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup", "sub", "li", "b", "i", "u", "strong", "em", "s", "code", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td", "caption", "pre", "span", "details", "summary"];

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: ["href", "title", "target", "rel"], ALLOWED_URI_REGEXP: /^(?:https?|mailto|matrix):/i });
}

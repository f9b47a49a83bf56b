// Participants between Matrix and iCalendar. A CAL-ADDRESS is a URI (RFC 5545 §3.3.3): outside
// people keep their `mailto:`, Matrix users travel as the `matrix:` URI scheme
// (https://spec.matrix.org/v1.16/appendices/#matrix-uri-scheme), so a reader that knows neither
// still shows a stable address and we get the user id back unchanged.
const MATRIX_USER_URI = /^matrix:u\/([^:/\s]+):(\S+)$/i;

export function participantToCalAddress(id: string): string {
  if (id.startsWith("@")) return `matrix:u/${id.slice(1)}`;
  return id;
}

/** The participant id (user id or mailto:), or undefined for an address we cannot carry. */
export function calAddressToParticipant(address: string): string | undefined {
  const m = MATRIX_USER_URI.exec(address.trim());
  if (m !== null) return `@${decodeURIComponent(m[1] ?? "")}:${m[2] ?? ""}`;
  if (/^mailto:[^\s@]+@[^\s@]+$/i.test(address.trim())) return `mailto:${address.trim().slice(7)}`;
  return undefined;
}

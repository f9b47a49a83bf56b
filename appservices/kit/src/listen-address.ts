// Where a bot listens: by default the host and port of the `url` in its registration, which is
// where the homeserver pushes transactions (`entente init` writes http://127.0.0.1:<tasks port>).
// https://spec.matrix.org/v1.16/application-service-api/#registration
export interface ListenAddress {
  host: string;
  port: number;
}

/** The address in a registration's `url`; throws when there is none (the homeserver could not push). */
export function listenAddress(url: string | null | undefined): ListenAddress {
  if (url === null || url === undefined || url === "") {
    throw new Error("the registration has no url: the homeserver cannot push transactions to this bot");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`the registration url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`the registration url ${JSON.stringify(url)} must be http or https`);
  }
  const port = parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port);
  // URL keeps the brackets of an IPv6 literal; listen() wants the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port };
}

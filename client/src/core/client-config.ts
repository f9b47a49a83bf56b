// config.json, served next to the client: which councils an agent can pick at sign-in. It comes
// over the network, so it is parsed, not trusted.
import { isRecord, str } from "./raw-event.ts";

export interface CouncilChoice { id: string; label: string; serverName: string; homeserverUrl: string }
export interface ClientConfig { councils: CouncilChoice[]; defaultCouncil: string | undefined }

export class ConfigParseError extends Error {}

export function parseClientConfig(json: unknown): ClientConfig {
  if (!isRecord(json)) throw new ConfigParseError("config.json: an object is expected");
  const list = json["councils"] ?? [];
  if (!Array.isArray(list)) throw new ConfigParseError("config.json: councils must be a list");
  const councils = list.map((c, i): CouncilChoice => {
    if (!isRecord(c)) throw new ConfigParseError(`config.json: councils[${i}] must be an object`);
    const serverName = str(c["server_name"]);
    const homeserverUrl = str(c["homeserver_url"]);
    if (serverName === undefined || homeserverUrl === undefined || !/^https?:\/\//.test(homeserverUrl)) {
      throw new ConfigParseError(`config.json: councils[${i}] needs server_name and an http(s) homeserver_url`);
    }
    return { id: str(c["id"]) ?? serverName, label: str(c["label"]) ?? serverName, serverName, homeserverUrl: homeserverUrl.replace(/\/+$/, "") };
  });
  return { councils, defaultCouncil: str(json["default_council"]) };
}

// The client's config.json `widgets` section, fetched once per page for every widget view.
import { parseWidgetsConfig, type WidgetsConfig } from "../../core/widgets/widgets-config.ts";

let configPromise: Promise<WidgetsConfig> | undefined;

export function loadWidgetsConfig(): Promise<WidgetsConfig> {
  configPromise ??= fetch("./config.json", { cache: "no-cache" }).then((r) => r.json() as Promise<unknown>).catch(() => ({}))
    .then((json) => parseWidgetsConfig(json, location.href));
  return configPromise;
}

// Where `entente init` puts each file of a federation directory. Paths inside a council's
// homeserver.yaml are relative to its folder, so the whole directory can be moved.
import { join } from "node:path";

export interface CouncilPaths {
  dir: string;
  config: string;
  signingKey: string;
  tlsCert: string;
  tlsKey: string;
  /** Shared secret of /_synapse/admin/v1/register. */
  registrationSecret: string;
  adminPassword: string;
  /** YAML mapping localpart -> password of the demo accounts. */
  demoAccounts: string;
  appserviceDir: string;
  /** Output of the homeserver when run by `entente start`. */
  log: string;
}

export const federationFilePath = (dir: string): string => join(dir, "federation.yaml");

export interface CaPaths {
  dir: string;
  cert: string;
  key: string;
}

export const caPaths = (dir: string): CaPaths => ({ dir: join(dir, "ca"), cert: join(dir, "ca", "ca.crt"), key: join(dir, "ca", "ca.key") });

/** Relative names, as written into homeserver.yaml. */
export const RELATIVE = {
  signingKey: "signing.key",
  tlsCert: "tls/federation.crt",
  tlsKey: "tls/federation.key",
  registrationSecret: "registration-secret.txt",
  caCert: "../ca/ca.crt",
  appservice: (bot: string): string => `appservices/${bot}.yaml`,
} as const;

export function councilPaths(dir: string, name: string): CouncilPaths {
  const c = join(dir, name);
  return {
    dir: c,
    config: join(c, "homeserver.yaml"),
    signingKey: join(c, RELATIVE.signingKey),
    tlsCert: join(c, RELATIVE.tlsCert),
    tlsKey: join(c, RELATIVE.tlsKey),
    registrationSecret: join(c, RELATIVE.registrationSecret),
    adminPassword: join(c, "admin-password.txt"),
    demoAccounts: join(c, "demo-accounts.yaml"),
    appserviceDir: join(c, "appservices"),
    log: join(c, "homeserver.log"),
  };
}

export const appservicePath = (p: CouncilPaths, bot: string): string => join(p.dir, RELATIVE.appservice(bot));

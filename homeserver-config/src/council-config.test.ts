import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { parseConfig } from "../../homeserver/src/config/load-config.ts";
import { addPeersToConfig, councilConfigYaml } from "./council-config.ts";
import type { FederationFile } from "./federation-file.ts";

const two: FederationFile = {
  domain: "localhost",
  demoUsers: 0,
  councils: [
    { name: "ville-a", ports: { client: 8600, federation: 8601, tasks: 8602, calendar: 8603 } },
    { name: "agglo-b", ports: { client: 8604, federation: 8605, tasks: 8606, calendar: 8607 } },
  ],
};
const three: FederationFile = { ...two, councils: [...two.councils, { name: "dept-c", ports: { client: 8608, federation: 8609, tasks: 8610, calendar: 8611 } }] };

describe("council homeserver.yaml", () => {
  let dir: string;
  before(() => {
    // The files the config points at must exist for the loader (it reads certificates at load time).
    dir = mkdtempSync(join(tmpdir(), "entente-council-config-"));
    const council = join(dir, "ville-a");
    mkdirSync(join(council, "tls"), { recursive: true });
    mkdirSync(join(dir, "ca"));
    mkdirSync(join(council, "appservices"));
    const pem = "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n";
    writeFileSync(join(dir, "ca", "ca.crt"), pem);
    writeFileSync(join(council, "tls", "federation.crt"), pem);
    writeFileSync(join(council, "tls", "federation.key"), "key");
    writeFileSync(join(council, "registration-secret.txt"), "s3cret\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is a valid homeserver config naming every council", () => {
    const config = parseConfig(councilConfigYaml(two, two.councils[0]!, false), "homeserver.yaml", join(dir, "ville-a"), {});
    assert.equal(config.server.name, "ville-a.localhost");
    assert.equal(config.listeners.client.port, 8600);
    assert.equal(config.federation.listener.port, 8601);
    assert.deepEqual(config.federation.allowList, ["ville-a.localhost", "agglo-b.localhost"]);
    assert.deepEqual(config.federation.hostMap.get("agglo-b.localhost"), { scheme: "https", host: "127.0.0.1", port: 8605 });
    assert.equal(config.federation.extraCaPath, join(dir, "ca", "ca.crt"));
    assert.equal(config.registration.sharedSecret, "s3cret");
    assert.equal(config.registration.enabled, false);
  });

  it("references the bots' registration files when asked", () => {
    const text = councilConfigYaml(two, two.councils[0]!, true);
    assert.deepEqual((parse(text) as { appservices: unknown }).appservices, { registration_files: ["appservices/tasks.yaml", "appservices/calendar.yaml"] });
  });

  it("adds a new council to allow_list and host_map, keeping the operator's edits and comments", () => {
    const edited = councilConfigYaml(two, two.councils[0]!, false).replace("  level: info", "  level: debug # operator's choice");
    const updated = addPeersToConfig(edited, "homeserver.yaml", three, false);
    assert.ok(updated !== undefined);
    const doc = parse(updated) as { federation: { allow_list: string[]; host_map: Record<string, string> }; logging: { level: string } };
    assert.deepEqual(doc.federation.allow_list, ["ville-a.localhost", "agglo-b.localhost", "dept-c.localhost"]);
    assert.equal(doc.federation.host_map["dept-c.localhost"], "127.0.0.1:8609");
    assert.equal(doc.federation.host_map["agglo-b.localhost"], "127.0.0.1:8605");
    assert.equal(doc.logging.level, "debug");
    assert.match(updated, /# operator's choice/);
    assert.match(updated, /# Federate only with the councils of this federation\./);
    assert.equal(addPeersToConfig(updated, "homeserver.yaml", three, false), undefined, "nothing more to add");
  });

  it("leaves an open federation open and keeps changed routes", () => {
    const open = "server:\n  name: ville-a.localhost\nfederation:\n  host_map:\n    agglo-b.localhost: \"10.0.0.2:8448\"\n";
    const updated = addPeersToConfig(open, "homeserver.yaml", three, false) ?? "";
    const doc = parse(updated) as { federation: { allow_list?: unknown; host_map: Record<string, string> } };
    assert.equal(doc.federation.allow_list, undefined);
    assert.equal(doc.federation.host_map["agglo-b.localhost"], "10.0.0.2:8448");
    assert.equal(doc.federation.host_map["dept-c.localhost"], "127.0.0.1:8609");
  });
});

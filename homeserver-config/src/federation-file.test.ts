import assert from "node:assert/strict";
import { CliError } from "./cli-kit.ts";
import { councilNameProblem, domainProblem, formatFederationFile, parseFederationFile, type FederationFile } from "./federation-file.ts";

const sample: FederationFile = {
  domain: "localhost",
  demoUsers: 2,
  councils: [
    { name: "ville-a", ports: { client: 8600, federation: 8601, tasks: 8602, calendar: 8603 } },
    { name: "agglo-b", ports: { client: 8604, federation: 8605, tasks: 8606, calendar: 8607 } },
  ],
};

function errorsOf(text: string): string {
  try {
    parseFederationFile(text, "federation.yaml");
  } catch (e: unknown) {
    assert.ok(e instanceof CliError);
    return e.message;
  }
  assert.fail("expected a CliError");
}

describe("federation.yaml", () => {
  it("round-trips what init writes", () => {
    assert.deepEqual(parseFederationFile(formatFederationFile(sample), "f"), sample);
  });

  it("names a duplicate council", () => {
    const text = formatFederationFile({ ...sample, councils: [sample.councils[0]!, { ...sample.councils[1]!, name: "ville-a" }] });
    assert.match(errorsOf(text), /federation\.yaml: councils: council "ville-a" is listed twice/);
  });

  it("reports every problem at once, with its path", () => {
    const text = "domain: localhost\ndemo_user: 2\ncouncils:\n  - name: Ville_A\n    client_port: abc\n    federation_port: 1\n    tasks_port: 2\n";
    const message = errorsOf(text);
    assert.match(message, /federation\.yaml: demo_user: unknown key \(did you mean "demo_users"\?\)/);
    assert.match(message, /councils\[1\]\.name: invalid council name "Ville_A"/);
    assert.match(message, /councils\[1\]\.client_port: expected a port number 1-65535, got "abc"/);
    assert.match(message, /councils\[1\]\.calendar_port: missing required key/);
  });

  it("refuses a port given twice and an empty council list", () => {
    const ports = { client_port: 1, federation_port: 2, tasks_port: 3, calendar_port: 4 };
    const two = `councils:\n  - ${JSON.stringify({ name: "a", ...ports })}\n  - ${JSON.stringify({ name: "b", ...ports, client_port: 2 })}\n`;
    assert.match(errorsOf(two), /port 2 is given to two listeners/);
    assert.match(errorsOf("councils: []\n"), /councils: expected a non-empty list/);
  });

  it("reports YAML syntax errors with their line", () => {
    assert.match(errorsOf("councils:\n  - name: a\n   bad: [\n"), /federation\.yaml: line \d+, column \d+: invalid YAML/);
  });

  it("validates council names and domains", () => {
    for (const ok of ["ville-a", "a", "agglo2", "x".repeat(63)]) assert.equal(councilNameProblem(ok), undefined, ok);
    for (const bad of ["Ville", "-a", "a-", "a_b", "a.b", "", "x".repeat(64), "é"]) assert.ok(councilNameProblem(bad), bad);
    assert.match(councilNameProblem("ca") ?? "", /reserved/);
    assert.equal(domainProblem("councils.example.fr"), undefined);
    assert.ok(domainProblem("Example.fr"));
    assert.ok(domainProblem("example..fr"));
  });
});

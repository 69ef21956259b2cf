import { strict as assert } from "node:assert";
import { test } from "node:test";
import {
  ModlsConfig,
  changeKind,
  didChangeConfigurationParams,
  goplsServes,
  initializationOptions,
  normalizeRule,
  readConfig,
} from "../src/config";

function section(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test("rules reach the server in modls.json's shape under modls.rules", () => {
  const { config, problems } = readConfig(section({
    path: " /opt/modls ",
    rules: { MOD011: "off", MOD007: "error", MOD002: { enabled: true, severity: "warning" } },
    "trace.server": "messages",
  }));
  assert.deepEqual(problems, []);
  assert.equal(config.path, "/opt/modls");
  assert.equal(config.trace, "messages");
  const want = { modls: { rules: { MOD002: { enabled: true, severity: "warning" }, MOD007: "error", MOD011: "off" }, compileErrors: true, sandbox: { network: false } } };
  assert.deepEqual(initializationOptions(config), want);
  assert.deepEqual(didChangeConfigurationParams(config), { settings: want });
  // The settings object is a copy: changing it leaves the config alone.
  (initializationOptions(config).modls.rules.MOD002 as { enabled?: boolean }).enabled = false;
  assert.deepEqual(config.rules.MOD002, { enabled: true, severity: "warning" });
});

test("defaults: no path, no rules, no network, no trace", () => {
  const { config, problems } = readConfig(section({}));
  assert.deepEqual(problems, []);
  assert.deepEqual(config, { path: "", rules: {}, sandboxNetwork: false, trace: "off", compileErrors: "auto", gopls: false });
  assert.deepEqual(initializationOptions(config), { modls: { rules: {}, compileErrors: true, sandbox: { network: false } } });
});

test("modls.sandbox.network reaches the server, and a change is notified", () => {
  const off = readConfig(section({})).config;
  const { config, problems } = readConfig(section({ "sandbox.network": true }));
  assert.deepEqual(problems, []);
  assert.deepEqual(didChangeConfigurationParams(config).settings.modls.sandbox, { network: true });
  assert.equal(changeKind(off, config), "notify");
  const bad = readConfig(section({ "sandbox.network": "yes" }));
  assert.equal(bad.config.sandboxNetwork, false);
  assert.match(bad.problems[0]!, /modls\.sandbox\.network: "yes" is not true or false/);
});

test("bad rule settings are left out with a message naming them", () => {
  const { config, problems } = readConfig(section({
    rules: { MOD005: "loud", mod006: "off", MOD008: { severity: "fatal" }, MOD009: { enabled: true, colour: 1 }, MOD010: false, MOD012: true },
    "trace.server": "chatty",
    compileErrors: "sometimes",
  }));
  assert.deepEqual(config.rules, { MOD010: "off", MOD012: { enabled: true } });
  assert.equal(config.trace, "off");
  assert.equal(config.compileErrors, "auto");
  assert.equal(problems.length, 6);
  assert.match(problems[0]!, /modls\.rules\.MOD005: "loud" is not/);
  assert.match(problems[1]!, /modls\.rules\.MOD008: unexpected "severity": "fatal"/);
  assert.match(problems[2]!, /modls\.rules\.MOD009: unexpected "colour"/);
  assert.match(problems[3]!, /"mod006" is not a rule ID/);
  assert.match(problems[4]!, /modls\.trace\.server: "chatty"/);
  assert.match(problems[5]!, /modls\.compileErrors: "sometimes" is not "auto", "on" or "off"/);
});

test("rules that are not an object are refused", () => {
  const { config, problems } = readConfig(section({ rules: ["MOD001"] }));
  assert.deepEqual(config.rules, {});
  assert.match(problems[0]!, /want an object/);
});

test("normalizeRule keeps the three forms", () => {
  assert.equal(normalizeRule("MOD001", "off"), "off");
  assert.equal(normalizeRule("MOD001", "info"), "info");
  assert.deepEqual(normalizeRule("MOD001", { enabled: false }), { enabled: false });
  assert.deepEqual(normalizeRule("MOD001", {}), {});
});

test("a new path restarts, new rules notify, trace alone does neither", () => {
  const base: ModlsConfig = { path: "", rules: { MOD001: "off" }, sandboxNetwork: false, trace: "off", compileErrors: "auto", gopls: false };
  assert.equal(changeKind(base, { ...base, path: "/x/modls" }), "restart");
  assert.equal(changeKind(base, { ...base, rules: { MOD001: "warning" } }), "notify");
  assert.equal(changeKind(base, { ...base, rules: {} }), "notify");
  assert.equal(changeKind(base, { ...base, trace: "verbose" }), "none");
  // Key order does not count as a change.
  const a: ModlsConfig = { ...base, rules: { MOD001: "off", MOD002: "info" } };
  const b: ModlsConfig = { ...base, rules: { MOD002: "info", MOD001: "off" } };
  assert.equal(changeKind(a, b), "none");
});

test("compile errors: auto leaves them to gopls, on and off force them", () => {
  const base: ModlsConfig = { path: "", rules: {}, sandboxNetwork: false, trace: "off", compileErrors: "auto", gopls: false };
  const sent = (c: ModlsConfig) => initializationOptions(c).modls.compileErrors;
  assert.equal(sent(base), true);
  assert.equal(sent({ ...base, gopls: true }), false);
  assert.equal(sent({ ...base, compileErrors: "on", gopls: true }), true);
  assert.equal(sent({ ...base, compileErrors: "off" }), false);
  for (const mode of ["auto", "on", "off"]) {
    const { config, problems } = readConfig(section({ compileErrors: mode }));
    assert.deepEqual(problems, []);
    assert.equal(config.compileErrors, mode);
  }
  // The Go extension arriving (or its language server turned on) is a
  // change the server is told of; a setting that changes nothing is not.
  assert.equal(changeKind(base, { ...base, gopls: true }), "notify");
  assert.equal(changeKind({ ...base, compileErrors: "on" }, { ...base, compileErrors: "on", gopls: true }), "none");
  assert.equal(changeKind(base, { ...base, compileErrors: "on" }), "none");
  assert.equal(changeKind(base, { ...base, compileErrors: "off" }), "notify");
});

test("gopls serves Go files when the Go extension is there with its language server on", () => {
  assert.equal(goplsServes(true, undefined), true);
  assert.equal(goplsServes(true, true), true);
  assert.equal(goplsServes(true, false), false);
  assert.equal(goplsServes(false, true), false);
});

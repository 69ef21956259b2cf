import { strict as assert } from "node:assert";
import { test } from "node:test";
import { LocateEnv, installCommand, locateModls } from "../src/locate";

function env(files: string[], vars: Record<string, string>, platform: NodeJS.Platform = "linux"): LocateEnv {
  return { env: vars, platform, home: "/home/dev", isExecutable: (f) => files.includes(f) };
}

test("PATH lookup takes the first directory that has modls", () => {
  const e = env(["/usr/local/bin/modls", "/home/dev/go/bin/modls"], { PATH: "/usr/bin::/home/dev/go/bin:/usr/local/bin" });
  assert.deepEqual(locateModls("", e), { ok: true, path: "/home/dev/go/bin/modls", from: "PATH" });
});

test("modls.path wins over the PATH", () => {
  const e = env(["/opt/modls/modls", "/usr/bin/modls"], { PATH: "/usr/bin" });
  assert.deepEqual(locateModls("/opt/modls/modls", e), { ok: true, path: "/opt/modls/modls", from: "setting" });
});

test("modls.path expands ~ and resolves relative paths from the workspace", () => {
  const e = env(["/home/dev/bin/modls", "/ws/tools/modls"], {});
  assert.deepEqual(locateModls("~/bin/modls", e), { ok: true, path: "/home/dev/bin/modls", from: "setting" });
  assert.deepEqual(locateModls("./tools/modls", e, "/ws"), { ok: true, path: "/ws/tools/modls", from: "setting" });
});

test("a bare name in modls.path is looked up on the PATH", () => {
  const e = env(["/usr/bin/modls-dev"], { PATH: "/usr/bin" });
  assert.deepEqual(locateModls("modls-dev", e), { ok: true, path: "/usr/bin/modls-dev", from: "setting" });
  const missing = locateModls("modls-old", e);
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.message : "", /modls\.path is "modls-old", which is not on the PATH/);
});

test("a modls.path that is not executable is an error naming it, not a PATH fallback", () => {
  const e = env(["/usr/bin/modls"], { PATH: "/usr/bin" });
  const r = locateModls("/nowhere/modls", e);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /\/nowhere\/modls is not an executable file/);
    assert.ok(r.message.includes(installCommand));
  }
});

test("not found anywhere: the message gives the install command", () => {
  const r = locateModls("", env([], { PATH: "/usr/bin:/bin" }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.ok(r.message.includes("go install github.com/modls/modls/cmd/modls@latest"), r.message);
    assert.match(r.message, /not found on the PATH/);
  }
});

test("Windows: PATHEXT and ; separated Path", () => {
  const e = env(["C:\\go\\bin\\modls.exe"], { Path: "C:\\Windows;C:\\go\\bin", PATHEXT: ".COM;.EXE" }, "win32");
  assert.deepEqual(locateModls("", e), { ok: true, path: "C:\\go\\bin\\modls.exe", from: "PATH" });
});

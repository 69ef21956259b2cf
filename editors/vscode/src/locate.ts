// Finding the modls executable: the modls.path setting, else the PATH,
// else an error telling the user how to install it. Pure apart from the
// file-system check, which is passed in.

import * as path from "path";

export const installCommand = "go install github.com/modls/modls/cmd/modls@latest";

export type Located =
  | { ok: true; path: string; from: "setting" | "PATH" }
  | { ok: false; message: string };

export interface LocateEnv {
  // PATH and, on Windows, PATHEXT, as in process.env.
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  // home replaces a leading "~" in the setting.
  home: string;
  // isExecutable says whether a file exists and may be run.
  isExecutable(file: string): boolean;
}

function expandHome(p: string, home: string): string {
  if (p === "~") {
    return home;
  }
  if (p.startsWith("~/") || p.startsWith("~\\")) {
    return path.join(home, p.slice(2));
  }
  return p;
}

function candidates(dir: string, name: string, e: LocateEnv): string[] {
  const base = e.platform === "win32" ? path.win32.join(dir, name) : path.posix.join(dir, name);
  if (e.platform !== "win32") {
    return [base];
  }
  const exts = (e.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter((x) => x !== "");
  return [base, ...exts.map((x) => base + x.toLowerCase()), ...exts.map((x) => base + x)];
}

// searchPath looks name up in the PATH directories.
export function searchPath(name: string, e: LocateEnv): string | undefined {
  const sep = e.platform === "win32" ? ";" : ":";
  const pathVar = e.env.PATH ?? e.env.Path ?? "";
  for (const dir of pathVar.split(sep)) {
    if (dir === "") {
      continue;
    }
    for (const c of candidates(dir, name, e)) {
      if (e.isExecutable(c)) {
        return c;
      }
    }
  }
  return undefined;
}

// locateModls resolves the executable. setting is modls.path; workspaceDir,
// if given, anchors a relative setting.
export function locateModls(setting: string, e: LocateEnv, workspaceDir?: string): Located {
  const s = setting.trim();
  if (s !== "") {
    let p = expandHome(s, e.home);
    const isPath = p.includes("/") || (e.platform === "win32" && p.includes("\\"));
    if (!isPath) {
      // A bare name ("modls-dev") is looked up on the PATH.
      const found = searchPath(p, e);
      if (found !== undefined) {
        return { ok: true, path: found, from: "setting" };
      }
      return { ok: false, message: `modls.path is "${s}", which is not on the PATH. Set modls.path to the executable's full path, or install modls with: ${installCommand}` };
    }
    if (!path.isAbsolute(p) && workspaceDir !== undefined) {
      p = path.join(workspaceDir, p);
    }
    if (e.isExecutable(p)) {
      return { ok: true, path: p, from: "setting" };
    }
    return { ok: false, message: `modls.path is "${s}", but ${p} is not an executable file. Fix modls.path, or install modls with: ${installCommand}` };
  }
  const found = searchPath("modls", e);
  if (found !== undefined) {
    return { ok: true, path: found, from: "PATH" };
  }
  return {
    ok: false,
    message: `modls was not found on the PATH. Install it with: ${installCommand} (and make sure $(go env GOPATH)/bin is on the PATH), or set modls.path to the executable.`,
  };
}

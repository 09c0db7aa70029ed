"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser."""

CHROMIUM_PATH = "/usr/bin/chromium"

#: Flags for headless Chromium as root on a machine without outside network (the machine notes list them:
#: without the background-networking flags Chromium keeps opening refused connections).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

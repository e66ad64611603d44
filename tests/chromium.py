"""How the browser tests start Debian's Chromium here (``.ci/run`` installs it).

The flags every test needs: headless, no sandbox (root in a container), no GPU, and nothing
from the network (without the background-networking flags this machine's closed network
refuses Chromium's own connections, many at a time). Each test adds its own.
"""

#: Where ``apt-get install chromium`` puts the browser.
CHROMIUM = "/usr/bin/chromium"

#: The flags every headless run here needs.
HEADLESS_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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


def logged_in_page(playwright, client, user, base_url: str):
    """(browser, page): headless Debian Chromium whose page carries ``user``'s session cookie for
    ``base_url`` (the session comes from Django's test ``client``). The caller closes the browser."""
    from django.conf import settings

    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    context = browser.new_context()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return browser, context.new_page()

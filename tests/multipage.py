"""A local three-page article for the multi-page tests (bug-log A46): each page links to the next with
``<link rel="next">`` and holds paragraphs of its own."""

PAGES = 3


def paragraph(page: int, n: int) -> str:
    """The ``n``-th paragraph of page ``page`` (distinct words, so each page's text is recognisable)."""
    return (
        f"Page {page} paragraph {n} of the long report on river restoration tells how the valley's towns "
        f"rebuilt their banks, planted willows along the water and measured the returning fish every "
        f"spring, with figures gathered by volunteers over many seasons of careful work number {page}{n}."
    )


def add_article(page_server, prefix: str = "/multi", broken: int | None = None) -> str:
    """Register the article's pages at ``prefix/1`` .. ``prefix/3`` (page ``broken`` answers 500) and
    return the first page's URL."""
    for page in range(1, PAGES + 1):
        next_link = f'<link rel="next" href="{prefix}/{page + 1}">' if page < PAGES else ""
        body = "".join(f"<p>{paragraph(page, n)}</p>" for n in range(1, 5))
        html = (
            f"<!doctype html><html lang='en'><head><title>River restoration, page {page}</title>{next_link}"
            f"</head><body><article><h1>River restoration</h1>{body}</article></body></html>"
        )
        if page == broken:
            page_server.add(f"{prefix}/{page}", "down", status=500)
        else:
            page_server.add(f"{prefix}/{page}", html, headers={"Content-Type": "text/html; charset=utf-8"})
    return page_server.url(f"{prefix}/1")

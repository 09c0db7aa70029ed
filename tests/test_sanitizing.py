"""The sanitizer's allow-list and URL handling."""

from articles.sanitizing import clean


def test_scripts_handlers_and_styles_removed():
    html = clean(
        '<p onclick="x()">Hi<script>alert(1)</script><style>p{}</style><iframe src="https://e.com"></iframe></p>'
    )
    assert html == "<p>Hi</p>"


def test_javascript_and_data_links_dropped():
    html = clean(
        '<a href="javascript:alert(1)">a</a><img src="data:image/png;base64,AAAA"><a href="vbscript:x">b</a>'
    )
    assert "javascript" not in html and "data:" not in html and "vbscript" not in html


def test_relative_urls_made_absolute_and_images_lazy():
    html = clean(
        '<p><a href="/about">About</a><img src="img/a.png" alt="A"></p>', "https://example.com/news/story"
    )
    assert 'href="https://example.com/about"' in html
    assert 'src="https://example.com/news/img/a.png"' in html
    assert 'loading="lazy"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_unknown_attributes_and_classes_dropped():
    html = clean('<p class="ad big" style="color:red" id="x">t</p><pre class="language-python x">c</pre>')
    assert html == '<p>t</p><pre class="language-python">c</pre>'

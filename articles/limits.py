"""The limits of what Folio stores, in one place: the model's column sizes and the checks of every face
(forms, the API's serializers, the services' validation) read these names. Pure (no Django import), so
that the pure stages can use them too."""

#: Characters of an address (given, final, canonical, lead image) and of its normalized key. PostgreSQL's
#: btree rows cap out near 2,700 bytes, and browsers handle 2,048 everywhere (RFC 9110 §4.1 recommends
#: at least 8,000, but no reader-app client sends more than 2,048).
URL_MAX_LENGTH = 2048
#: Characters of a title (Article.title, the forms, the API).
TITLE_MAX_LENGTH = 500
#: Characters of an author line (several authors joined by ", ").
AUTHOR_MAX_LENGTH = 500
#: Characters of a site name.
SITE_NAME_MAX_LENGTH = 200
#: Characters of a language code (ISO 639-1, or a BCP 47 tag such as "pt-BR" cut to this).
LANGUAGE_MAX_LENGTH = 8
#: Characters of a tag name.
TAG_NAME_MAX_LENGTH = 100
#: Tags one request may send (API lists, forms).
TAGS_PER_REQUEST_MAX = 200
#: Characters of an API token's name.
TOKEN_NAME_MAX_LENGTH = 100
#: Characters of a saved search's name and query.
SAVED_SEARCH_NAME_MAX_LENGTH = 100
SAVED_SEARCH_QUERY_MAX_LENGTH = 1000
#: Characters of a highlight's note.
HIGHLIGHT_NOTE_MAX_LENGTH = 10_000
#: Bytes of a highlight's anchor as JSON (quote positions kept as the client gave them).
HIGHLIGHT_ANCHOR_MAX_BYTES = 10_000
#: Reading progress at or past this percentage counts as finished and marks the article read, on every
#: face (reader, API, imports' progress, apps). 98 rather than 100: the last screen of a long article
#: often holds the footer's leftovers, so a reader who reached it has finished.
FINISHED_PERCENT = 98.0
#: Characters of the note on an article (Article.note): a page of text, like a highlight's note.
ARTICLE_NOTE_MAX_LENGTH = 10_000

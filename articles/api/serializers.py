"""API input and output serializers; they validate and render, services do the writing."""

import copy

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..limits import (
    ARTICLE_NOTE_MAX_LENGTH,
    TAG_NAME_MAX_LENGTH,
    TAGS_PER_REQUEST_MAX,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
)
from ..models import Article

#: What the schema promises an address looks like. Folio's rule (urlnorm.validate_url: an absolute http(s)
#: address with a host and a valid port) is checked by the service, with a message saying what is wrong.
URL_PATTERN = r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,4})?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$"


class StrictCharField(serializers.CharField):
    """A JSON string only (DRF would turn 12 into "12")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only (DRF would also take "yes", 1, "on")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only (not true, "7" or 7.5)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    """A JSON number only (not true or "4.2")."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInput(serializers.Serializer):
    """Base of request bodies: JSON types are not coerced (the Strict* fields). Unknown fields are ignored,
    as DRF does everywhere."""


@extend_schema_field({"type": "string", "format": "uri", "pattern": URL_PATTERN, "maxLength": URL_MAX_LENGTH})
class HttpUrlField(StrictCharField):
    """An address to save; validated by the saving service so that every interface gives the same message."""


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": TAG_NAME_MAX_LENGTH, "pattern": r"\S"})
class TagNameField(StrictCharField):
    """A tag name with at least one visible character; white space is collapsed by the service."""

    def __init__(self, **kwargs):
        super().__init__(max_length=TAG_NAME_MAX_LENGTH, trim_whitespace=False, **kwargs)


class ArticleCreateInput(StrictInput):
    """Body of ``POST /api/articles/``: a URL, optional tags, optional page HTML sent by a browser."""

    url = HttpUrlField(max_length=URL_MAX_LENGTH, min_length=1, help_text="An absolute http(s) address.")
    tags = serializers.ListField(
        child=StrictCharField(max_length=TAG_NAME_MAX_LENGTH, allow_blank=True),
        required=False,
        default=list,
        max_length=TAGS_PER_REQUEST_MAX,
    )
    html = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    title = StrictCharField(required=False, allow_blank=True, max_length=TITLE_MAX_LENGTH)


#: Fields added to the original ``GET /api/articles/{id}/`` answer (which keeps all its first names).
EXTRA_FIELDS = (
    "extraction_log",
    "is_read",
    "read_at",
    "progress_percent",
    "progress_paragraph",
    "saved_at",
    "updated_at",
    "note",
    "note_updated_at",
)


class ArticleOutput(serializers.ModelSerializer):
    """An article as the API returns it."""

    tags = serializers.SerializerMethodField()
    # Plain strings: final_url and canonical_url are "" until known, which is not a "uri".
    url = serializers.CharField()
    final_url = serializers.CharField()
    canonical_url = serializers.CharField()
    lead_image = serializers.CharField()
    reading_time_minutes = serializers.IntegerField()
    is_read = serializers.BooleanField()

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "final_url",
            "canonical_url",
            "status",
            "failure_reason",
            "title",
            "author",
            "published",
            "site_name",
            "language",
            "lead_image",
            "excerpt",
            "word_count",
            "reading_time_minutes",
            "content_html",
            "content_text",
            "tags",
            "is_archived",
            "is_favorite",
            "created_at",
            *EXTRA_FIELDS,
        ]
        read_only_fields = fields

    def get_fields(self):
        """The fields DRF builds from the model and ``Meta`` on every instance, built once per class and
        copied (DRF's own way of instancing declared fields): building them was about a tenth of an API
        save's CPU in a profile (issue 20). The fields depend only on the class, never on the instance or
        the context."""
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return copy.deepcopy(built)

    def get_tags(self, article: Article) -> list[str]:
        return sorted(tag.name for tag in article.tags.all())


class ArticleListItemOutput(ArticleOutput):
    """An article in a list: every field of ArticleOutput except the bodies (``content_html``,
    ``content_text``) and the extraction log; read one article for those. With a search query ``q``,
    ``headline`` is the matching passage (HTML, sanitized, terms in ``<mark>``) and ``rank`` its relevance;
    both are null in a plain list."""

    headline = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()

    class Meta(ArticleOutput.Meta):
        fields = [
            *(
                f
                for f in ArticleOutput.Meta.fields
                if f not in ("content_html", "content_text", "extraction_log")
            ),
            "headline",
            "rank",
        ]
        read_only_fields = fields

    def get_headline(self, article: Article) -> str | None:
        return getattr(article, "headline", None)

    def get_rank(self, article: Article) -> float | None:
        rank = getattr(article, "rank", None)
        return None if rank is None else round(float(rank), 6)


class ArticleListPageOutput(serializers.Serializer):
    """One page of ``GET /api/articles/``: links to the neighbouring pages (null at either end)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    count = serializers.IntegerField(
        required=False,
        help_text=(
            "With q: how many articles the query finds (absent in a plain list); exact up to "
            "FOLIO_SEARCH_COUNT_LIMIT (10,000 by default), that limit when count_capped is true."
        ),
    )
    count_capped = serializers.BooleanField(
        required=False,
        help_text=(
            "With q: true when more than count articles match (the count stopped at the limit, and the "
            "pages stop there too); false when count is exact."
        ),
    )
    results = ArticleListItemOutput(many=True)


class ArticleListFilter(serializers.Serializer):
    """Query parameters of ``GET /api/articles/``; every filter is optional and they combine with AND."""

    is_archived = serializers.BooleanField(required=False, help_text="Only archived (true) or not (false).")
    is_favorite = serializers.BooleanField(required=False, help_text="Only favorites (true) or the others.")
    is_read = serializers.BooleanField(required=False, help_text="Only read (true) or unread (false).")
    tag = serializers.CharField(
        required=False, max_length=TAG_NAME_MAX_LENGTH, help_text="Only articles with this tag."
    )
    status = serializers.ChoiceField(
        choices=Article.Status.choices, required=False, help_text="Only articles in this processing state."
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text='Search query in Folio\'s query language (words, "phrases", OR, -word, prefix*, tag:, site:, '
        "author:, title:, lang:, is:unread|read|archived|favorite, before:/after:YYYY-MM-DD); results ranked.",
    )
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=10_000, help_text="With q: page number."
    )
    cursor = serializers.CharField(required=False, help_text="Opaque cursor from a next/previous link.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, help_text="Default 50.")

    #: The parameters that select articles (the others choose the page).
    FILTERS = ("is_archived", "is_favorite", "is_read", "tag", "status")


class ArticleUpdateInput(StrictInput):
    """Body of ``PATCH /api/articles/{id}/``: only the fields sent are changed."""

    title = StrictCharField(required=False, allow_blank=True, max_length=TITLE_MAX_LENGTH)
    tags = serializers.ListField(
        child=StrictCharField(max_length=TAG_NAME_MAX_LENGTH, allow_blank=True),
        required=False,
        max_length=TAGS_PER_REQUEST_MAX,
        help_text="The complete list of tags: replaces the article's tags.",
    )
    is_read = StrictBooleanField(required=False)
    is_archived = StrictBooleanField(required=False)
    is_favorite = StrictBooleanField(required=False)
    progress_percent = StrictFloatField(required=False, min_value=0, max_value=100)
    progress_paragraph = StrictIntegerField(required=False, min_value=0, max_value=1_000_000)
    note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=ARTICLE_NOTE_MAX_LENGTH,
        help_text="The person's note on the article (searchable); an empty string clears it.",
    )


class TagOutput(serializers.Serializer):
    """One tag with the number of the person's (not deleted) articles that carry it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    article_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TagUpdateInput(StrictInput):
    """Body of ``PATCH /api/tags/{id}/``: the new name."""

    name = TagNameField()


class TagMergeInput(StrictInput):
    """Body of ``POST /api/tags/{id}/merge/``: the id of the tag that receives the articles."""

    into = StrictIntegerField(min_value=1, max_value=2**63 - 1)


class ErrorOutput(serializers.Serializer):
    """Every error answer: a stable code, a sentence for a person, and per-field messages for 400s."""

    error = serializers.CharField(help_text="Machine-readable code, e.g. invalid, not_found, throttled.")
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Messages per input field (for 400)."
    )

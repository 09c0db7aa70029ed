"""API input and output serializers; they validate and render, services do the writing."""

from rest_framework import serializers

from ..models import Article


class ArticleCreateInput(serializers.Serializer):
    """Body of ``POST /api/articles/``: a URL, optional tags, optional page HTML sent by a browser."""

    url = serializers.CharField(max_length=2048)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)


#: Fields added to the original ``GET /api/articles/{id}/`` answer (which keeps all its first names).
EXTRA_FIELDS = ("is_read", "read_at", "progress_percent", "progress_paragraph", "saved_at", "updated_at")


class ArticleOutput(serializers.ModelSerializer):
    """An article as the API returns it."""

    tags = serializers.SerializerMethodField()
    lead_image = serializers.CharField()
    reading_time_minutes = serializers.IntegerField()
    is_read = serializers.BooleanField()

    class Meta:
        model = Article
        fields = [
            "id", "url", "final_url", "canonical_url", "status", "failure_reason", "title", "author",
            "published", "site_name", "language", "lead_image", "excerpt", "word_count",
            "reading_time_minutes", "content_html", "content_text", "tags", "is_archived", "is_favorite",
            "created_at", *EXTRA_FIELDS,
        ]
        read_only_fields = fields

    def get_tags(self, article: Article) -> list[str]:
        return sorted(tag.name for tag in article.tags.all())


class ArticleListItemOutput(ArticleOutput):
    """An article in a list: every field of ArticleOutput except the bodies (``content_html``,
    ``content_text``); read one article for those."""

    class Meta(ArticleOutput.Meta):
        fields = [f for f in ArticleOutput.Meta.fields if f not in ("content_html", "content_text")]
        read_only_fields = fields


class ArticleListPageOutput(serializers.Serializer):
    """One page of ``GET /api/articles/``: links to the neighbouring pages (null at either end)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ArticleListItemOutput(many=True)


class ArticleListFilter(serializers.Serializer):
    """Query parameters of ``GET /api/articles/``; every filter is optional and they combine with AND."""

    is_archived = serializers.BooleanField(required=False, help_text="Only archived (true) or not (false).")
    is_favorite = serializers.BooleanField(required=False, help_text="Only favorites (true) or the others.")
    is_read = serializers.BooleanField(required=False, help_text="Only read (true) or unread (false).")
    tag = serializers.CharField(required=False, max_length=100, help_text="Only articles with this tag.")
    status = serializers.ChoiceField(
        choices=Article.Status.choices, required=False, help_text="Only articles in this processing state."
    )


class ArticleUpdateInput(serializers.Serializer):
    """Body of ``PATCH /api/articles/{id}/``: only the fields sent are changed."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200,
        help_text="The complete list of tags: replaces the article's tags.",
    )
    is_read = serializers.BooleanField(required=False)
    is_archived = serializers.BooleanField(required=False)
    is_favorite = serializers.BooleanField(required=False)
    progress_percent = serializers.FloatField(required=False, min_value=0, max_value=100)
    progress_paragraph = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)


class TagOutput(serializers.Serializer):
    """One tag with the number of the person's (not deleted) articles that carry it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    article_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TagUpdateInput(serializers.Serializer):
    """Body of ``PATCH /api/tags/{id}/``: the new name."""

    name = serializers.CharField(max_length=100)


class TagMergeInput(serializers.Serializer):
    """Body of ``POST /api/tags/{id}/merge/``: the id of the tag that receives the articles."""

    into = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ErrorOutput(serializers.Serializer):
    """Every error answer: a stable code, a sentence for a person, and per-field messages for 400s."""

    error = serializers.CharField(help_text="Machine-readable code, e.g. invalid, not_found, throttled.")
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    fields = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="Messages per input field (for 400)."
    )

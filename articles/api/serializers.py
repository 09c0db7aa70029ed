"""API input and output serializers; they validate and render, services do the writing."""

from rest_framework import serializers

from ..models import Article


class ArticleCreateInput(serializers.Serializer):
    """Body of ``POST /api/articles/``: a URL, optional tags, optional page HTML sent by a browser."""

    url = serializers.CharField(max_length=2048)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ArticleOutput(serializers.ModelSerializer):
    """An article as the API returns it."""

    tags = serializers.SerializerMethodField()
    lead_image = serializers.CharField()
    reading_time_minutes = serializers.IntegerField()

    class Meta:
        model = Article
        fields = [
            "id", "url", "final_url", "canonical_url", "status", "failure_reason", "title", "author",
            "published", "site_name", "language", "lead_image", "excerpt", "word_count",
            "reading_time_minutes", "content_html", "content_text", "tags", "is_archived", "is_favorite",
            "created_at", "extraction_log",
        ]
        read_only_fields = fields

    def get_tags(self, article: Article) -> list[str]:
        return sorted(tag.name for tag in article.tags.all())

"""Read-mostly admin for operators: find articles by state and failure reason."""

from django.contrib import admin

from .models import ApiToken, Article, Tag


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles with their state; bodies are not listed."""

    list_display = ("id", "title", "user", "status", "site_name", "saved_at")
    list_filter = ("status", "source", "language")
    search_fields = ("title", "url", "failure_reason")
    readonly_fields = ("content_html", "content_text", "extraction_log", "created_at", "updated_at")
    list_select_related = ("user",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags per user."""

    list_display = ("name", "user")
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens (only their prefix and digest are stored)."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at")
    readonly_fields = ("digest", "prefix")

"""Folio's data: articles, their raw fetched pages, tags, API tokens and per-user reader settings."""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .languages import SEARCH_CONFIGS
from .limits import (
    AUTHOR_MAX_LENGTH,
    LANGUAGE_MAX_LENGTH,
    SAVED_SEARCH_NAME_MAX_LENGTH,
    SAVED_SEARCH_QUERY_MAX_LENGTH,
    SITE_NAME_MAX_LENGTH,
    TAG_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TOKEN_NAME_MAX_LENGTH,
    URL_MAX_LENGTH,
)

#: Average silent reading speed for non-fiction in English, words per minute
#: (Brysbaert 2019, "How many words do we read per minute?", J. Memory and Language 109).
WORDS_PER_MINUTE = 238


class Tag(models.Model):
    """A label a user puts on articles; names are unique per user, case-insensitively."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="tag_unique_name_per_user"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One saved article of one user, from the save until it is ``ready`` (or ``failed`` with a reason)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        FETCHING = "fetching", _("Fetching")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        FETCH = "fetch", _("Fetched by Folio")
        BROWSER = "browser", _("Sent by the browser")
        IMPORT = "import", _("Imported")

    class Origin(models.TextChoices):
        """The face the article was first saved through (DESIGN.md: every face ends in the same service)."""

        FORM = "form", _("Save form")
        BOOKMARKLET = "bookmarklet", _("Bookmarklet")
        API = "api", _("Folio API")
        APP = "app", _("App (wallabag API)")
        SHARE = "share", _("Share target")
        IMPORT = "import", _("Import")
        FEED = "feed", _("Feed")
        EMAIL = "email", _("E-mail")
        SYNC = "sync", _("Offline sync")

    #: Metadata a saving client may state (article_save_url's ``metadata``); stated values win over
    #: extraction and are listed in ``stated_fields``.
    METADATA_FIELDS = ("title", "author", "published", "language", "lead_image", "site_name")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles")
    url = models.URLField("URL as given", max_length=URL_MAX_LENGTH)
    url_key = models.CharField(
        "normalized URL",
        max_length=URL_MAX_LENGTH,
        help_text="The given URL normalized; unique per user (dedupe).",
    )
    final_url = models.URLField("final URL after redirects", max_length=URL_MAX_LENGTH, blank=True)
    canonical_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    final_key = models.CharField(
        max_length=URL_MAX_LENGTH, blank=True, help_text="final_url normalized (dedupe)."
    )
    canonical_key = models.CharField(
        max_length=URL_MAX_LENGTH, blank=True, help_text="canonical_url normalized (dedupe)."
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    author = models.CharField(max_length=AUTHOR_MAX_LENGTH, blank=True)
    published = models.DateField(null=True, blank=True)
    site_name = models.CharField(max_length=SITE_NAME_MAX_LENGTH, blank=True)
    lead_image = models.URLField(max_length=URL_MAX_LENGTH, blank=True)
    excerpt = models.TextField(blank=True)
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH, blank=True, help_text="ISO 639-1 code")
    text_direction = models.CharField(
        max_length=3,
        choices=[("ltr", _("left to right")), ("rtl", _("right to left"))],
        default="ltr",
        db_default="ltr",  # rows written by SQL (bench libraries, bulk tools) get a direction too
        help_text=_("Direction of the article's script (the page's dir, else its language's)."),
    )
    search_config = models.CharField(
        max_length=20, default="simple", help_text="PostgreSQL text-search configuration (articles.search)."
    )
    word_count = models.PositiveIntegerField(default=0)
    reading_time_minutes = models.PositiveIntegerField(default=0)
    content_html = models.TextField(blank=True, help_text="Sanitized article HTML (articles.sanitizing).")
    content_text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    extraction_log = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FETCH)
    origin = models.CharField(
        max_length=12,
        choices=Origin.choices,
        default=Origin.FORM,
        # Also a database default, so that rows written by raw SQL (benchmarks' fast builders) stay valid.
        db_default=Origin.FORM.value,
        help_text="The face the article was first saved through.",
    )
    stated_fields = models.JSONField(
        default=list,
        db_default=models.Value([], models.JSONField()),
        blank=True,
        help_text="Metadata fields the person or the saving client set (a title edit, stated metadata); "
        "processing never overwrites them.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",  # rows written by raw SQL stay valid
        help_text="host:pid:task of the worker process processing it; a dead one is taken over at once.",
    )

    is_archived = models.BooleanField(default=False)
    is_favorite = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    progress_percent = models.FloatField(default=0.0, help_text="Reading progress, 0-100.")
    progress_paragraph = models.PositiveIntegerField(default=0, help_text="Index of the nearest paragraph.")
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(
        blank=True, default="", db_default="", help_text="The person's note on the article (searchable)."
    )
    note_updated_at = models.DateTimeField(null=True, blank=True)
    marks_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person last changed the read, archive or favorite mark (a change made offline "
        "carries its own time; the newest change wins, services.library).",
    )

    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set on delete; cleared by undo.")
    import_job = models.ForeignKey(
        "Import",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The import that created the article (for its progress and retry).",
    )

    saved_at = models.DateTimeField(
        default=timezone.now, help_text="When the person last saved it; a repeated save moves it to the top."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "url_key"], name="article_unique_url_per_user"),
            models.CheckConstraint(
                condition=models.Q(search_config__in=SEARCH_CONFIGS), name="article_search_config"
            ),
        ]
        indexes = [
            # Live articles only (every library query says deleted_at IS NULL), so that the tag view can
            # walk it index-only; see queries.article_page.
            models.Index(
                fields=["user", "-saved_at", "-id"],
                name="article_user_live_saved",
                condition=models.Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["status", "claimed_at"], name="article_status_claimed"),
            models.Index(fields=["user", "search_config"], name="article_user_search_config"),
            # Keyset pages of the library sorted by length, and the per-site view (queries.article_page).
            models.Index(fields=["user", "word_count", "id"], name="article_user_words"),
            models.Index(fields=["user", "site_name", "-saved_at", "-id"], name="article_user_site_saved"),
            # The duplicate check of every save (services.saving) matches the normalized key on url_key (the
            # unique constraint's index), final_key or canonical_key: without these two it scanned the whole
            # table (183-617 ms at 100,000 articles, issue 20). Partial: most rows have no final or
            # canonical address of their own, and '' is never looked up.
            models.Index(
                fields=["user", "final_key"], name="article_user_final_key", condition=~models.Q(final_key="")
            ),
            models.Index(
                fields=["user", "canonical_key"],
                name="article_user_canonical_key",
                condition=~models.Q(canonical_key=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def is_read(self) -> bool:
        """True once the person finished or marked the article read."""
        return self.read_at is not None

    @property
    def is_pending(self) -> bool:
        """True while a worker still has to finish the article (queued or fetching)."""
        return self.status in (self.Status.QUEUED, self.Status.FETCHING)

    @property
    def display_title(self) -> str:
        """The title, or the address while the title is not known yet."""
        return self.title or self.url

    @property
    def domain(self) -> str:
        """Host name of the article's address without a leading ``www.``."""
        from urllib.parse import urlsplit

        host = urlsplit(self.final_url or self.url).hostname or ""
        return host.removeprefix("www.")

    @staticmethod
    def reading_time_for(word_count: int) -> int:
        """Minutes to read ``word_count`` words at WORDS_PER_MINUTE, rounded up; 0 for no words."""
        return math.ceil(word_count / WORDS_PER_MINUTE) if word_count else 0


class ArticleSource(models.Model):
    """The raw page an article was extracted from, kept apart so list pages never load it."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="raw", primary_key=True)
    html = models.TextField(blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    redirects = models.JSONField(default=list, blank=True, help_text="Every hop: [url, status] pairs.")
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Page of article {self.article_id}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the key is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=TOKEN_NAME_MAX_LENGTH, default="API token")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters of the key, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ReaderSettings(models.Model):
    """One person's reader preferences and saving options."""

    class Font(models.TextChoices):
        SERIF = "serif", _("Serif")
        SANS = "sans", _("Sans-serif")
        MONO = "mono", _("Monospace")

    class Theme(models.TextChoices):
        SYSTEM = "system", _("Follow the system")
        LIGHT = "light", _("Light")
        DARK = "dark", _("Dark")
        SEPIA = "sepia", _("Sepia")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_settings"
    )
    font = models.CharField(max_length=10, choices=Font.choices, default=Font.SERIF)
    font_size = models.PositiveSmallIntegerField(default=19, help_text="Pixels, 14-28.")
    line_height = models.FloatField(default=1.6, help_text="Multiple of the font size, 1.2-2.2.")
    column_width = models.PositiveSmallIntegerField(default=38, help_text="Column width in em, 28-60.")
    theme = models.CharField(max_length=10, choices=Theme.choices, default=Theme.SYSTEM)
    send_page_html = models.BooleanField(
        default=True, help_text="The bookmarklet sends the page as the browser shows it."
    )
    offline_articles = models.PositiveSmallIntegerField(
        default=50,
        help_text="How many unread articles the installed app keeps for reading offline (0-500).",
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        help_text="Interface language (a code of settings.LANGUAGES); '' follows the browser.",
    )

    def __str__(self) -> str:
        return f"Reader settings of {self.user}"


class Highlight(models.Model):
    """A passage of an article the person marked, with an optional note and one of four colours."""

    class Color(models.TextChoices):
        YELLOW = "yellow", _("Yellow")
        GREEN = "green", _("Green")
        BLUE = "blue", _("Blue")
        PINK = "pink", _("Pink")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="highlights")
    quote = models.TextField()
    note = models.TextField(blank=True)
    color = models.CharField(max_length=10, choices=Color.choices, default=Color.YELLOW)
    anchor = models.JSONField(
        default=dict, blank=True, help_text="Where the quote sits (text offsets, prefix, suffix)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.quote[:60]


class ReadingEvent(models.Model):
    """How far the person read one article on one day: one row per (article, day), grown each time the
    reading position advances past the furthest point reached that day, ``high``
    (articles.services.reading). ``percent`` is the sum of those advances (at most 100), ``words`` the
    article's words they cover."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_events"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reading_events")
    day = models.DateField()
    percent = models.FloatField(default=0.0)
    high = models.FloatField(default=0.0, help_text="The furthest position reached that day, 0-100.")
    words = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="reading_event_article_day")]
        indexes = [models.Index(fields=["user", "day"], name="reading_event_user_day")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day} {self.percent:.0f}%"


class SavedSearch(models.Model):
    """A search query the person saved under a name; shown in the sidebar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=SAVED_SEARCH_NAME_MAX_LENGTH)
    query = models.CharField(max_length=SAVED_SEARCH_QUERY_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name")]

    def __str__(self) -> str:
        return self.name


class Import(models.Model):
    """One uploaded export file being imported, with its progress counters."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    failures = models.JSONField(
        default=list, blank=True, help_text="[{line, url, reason}] of rejected entries."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: When a worker claimed it (``running``); the sweeper ends a run whose worker died (issue 21.3).
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Entries of the file (in file order) handled by committed batches: a Retry skips them (issue 21.3).
    entries_done = models.PositiveIntegerField(default=0)
    #: Where the file can be entered right after those entries (byte offset, line), for formats that allow
    #: it (plain CSV); 0 when the retry must read the entries before it again (importers.RESUMABLE).
    resume_offset = models.PositiveBigIntegerField(default=0)
    resume_line = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class ArticleImage(models.Model):
    """One image of an article as Folio keeps it (``services/media.py``): the address it came from and,
    once stored, the digest that names the re-encoded file (``images/<d[:2]>/<digest>.<ext>`` in the
    ``images`` storage). Files are shared by every row with the same digest, and served only to a person
    who has such a row (or, later, through a share link of its article)."""

    class Status(models.TextChoices):
        STORED = "stored", _("Stored")
        FAILED = "failed", _("Not kept")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The article's owner (copied, so that serving checks ownership in one index lookup).",
    )
    source_url = models.CharField(max_length=2048, help_text="The image's original address.")
    is_lead = models.BooleanField(default=False, help_text="The article's lead image.")
    status = models.CharField(max_length=10, choices=Status.choices)
    failure_reason = models.CharField(max_length=500, blank=True)
    digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the stored file (hex).")
    content_type = models.CharField(max_length=20, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    byte_size = models.PositiveIntegerField(default=0, help_text="Size of the stored file in bytes.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "source_url"], name="article_image_unique_source"),
        ]
        indexes = [models.Index(fields=["user", "digest"], name="article_image_user_digest")]

    def __str__(self) -> str:
        return f"{self.source_url} ({self.status})"

    @property
    def extension(self) -> str:
        """``jpg`` or ``webp``: the stored file's extension, from its Content-Type."""
        return "jpg" if self.content_type == "image/jpeg" else "webp"

    @property
    def url(self) -> str:
        """Folio's URL of the stored image (``articles:image``); only meaningful when stored."""
        from django.urls import reverse

        return reverse("articles:image", kwargs={"digest": self.digest, "ext": self.extension})


class ImageJob(models.Model):
    """Keeping the images of articles saved before (the library's bulk action or ``keep_images``), with
    its progress counters."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="image_jobs")
    article_ids = models.JSONField(default=list, help_text="The articles to go through, in order.")
    position = models.PositiveIntegerField(default=0, help_text="How many articles are done.")
    retry_missing = models.BooleanField(default=True, help_text="Also try the images not kept before.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stored_count = models.PositiveIntegerField(default=0, help_text="Images stored.")
    failed_count = models.PositiveIntegerField(default=0, help_text="Images that could not be kept.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Images of {len(self.article_ids)} articles ({self.status})"


class ExportJob(models.Model):
    """A book of several articles made in the background (an EPUB export of more than one article; issue
    15 item 3), with progress, kept for download until ``expires_at`` (FOLIO_EXPORT_KEEP_HOURS) and then
    deleted (``services.export_jobs.export_job_sweep``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Making the book"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Deleted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    format = models.CharField(max_length=10, default="epub")
    title = models.CharField(max_length=500, blank=True, help_text="The book's title.")
    article_ids = models.JSONField(default=list, help_text="The articles of the book, in order.")
    position = models.PositiveIntegerField(default=0, help_text="How many articles are in the book so far.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, help_text="Why it failed, for the person who asked.")
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    byte_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When the file is deleted.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} of {len(self.article_ids)} articles ({self.status})"

"""Account pages: the reader settings (font, size, line height, column width, theme) at /settings/reader/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import services
from ..forms import ReaderSettingsForm
from ..models import ReaderSettings


@login_required
def reader_settings_view(request: HttpRequest) -> HttpResponse:
    """GET: the form with the current settings. POST: save them and come back (they apply on every page)."""
    current, _ = ReaderSettings.objects.get_or_create(user=request.user)
    form = ReaderSettingsForm(
        request.POST or None,
        initial={
            "font": current.font,
            "font_size": current.font_size,
            "line_height": f"{current.line_height:.1f}",
            "column_width": current.column_width,
            "theme": current.theme,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.reader_settings_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Reader settings saved.")
        return redirect("articles:reader_settings")
    return render(request, "articles/reader_settings.html", {"form": form})

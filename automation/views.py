"""Pages of tagging rules and webhooks. Each view calls automation.services; reads go through
automation.queries, scoped by the person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import queries
from .forms import RuleForm, WebhookForm
from .models import Rule, WebhookEndpoint
from .services import rules, webhooks


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def automation_view(request: HttpRequest) -> HttpResponse:
    """Rules in their order (move, edit, delete, apply to the library) and webhook endpoints."""
    context = {
        "rules": list(queries.rules_of(request.user)),
        "webhooks": list(queries.webhooks_of(request.user)),
        "runs": queries.rule_runs_recent(request.user),
    }
    return render(request, "automation/index.html", context)


def _fields(form: RuleForm) -> rules.RuleFields:
    data = form.cleaned_data
    return rules.RuleFields(
        name=data["name"],
        conditions=form.conditions(),
        match=data["match"],
        add_tags=form.tags(),
        archive=data["archive"],
        favorite=data["favorite"],
        mark_read=data["mark_read"],
        stop=data["stop"],
        enabled=data["enabled"],
    )


def _rule_form_page(request: HttpRequest, rule: Rule | None) -> HttpResponse:
    preview: int | None = None
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                if "preview" in request.POST:
                    preview = rules.rule_preview_count(
                        user=request.user, conditions=form.conditions(), match=form.cleaned_data["match"]
                    )
                elif rule is None:
                    rules.rule_create(user=request.user, fields=_fields(form))
                    messages.success(request, _("Rule saved."))
                    return redirect("automation:index")
                else:
                    rules.rule_update(user=request.user, pk=rule.pk, fields=_fields(form))
                    messages.success(request, _("Rule saved."))
                    return redirect("automation:rule", rule.pk)
            except rules.RuleError as exc:
                form.add_error(None, exc.message)
    else:
        form = RuleForm(initial=RuleForm.initial_for(rule) if rule else None)
        if rule is not None:
            preview = rules.rule_preview_count(
                user=request.user, conditions=rule.conditions, match=rule.match
            )
    status = 400 if form.errors else 200
    return render(
        request, "automation/rule_form.html", {"form": form, "rule": rule, "preview": preview}, status=status
    )


@login_required
def rule_new_view(request: HttpRequest) -> HttpResponse:
    """Create a rule (the "Preview" button counts the matching articles without saving)."""
    return _rule_form_page(request, None)


@login_required
def rule_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A rule: its form, how many articles it matched so far and how many match now."""
    rule = queries.rule_get(user=request.user, pk=pk)
    if rule is None:
        raise Http404
    return _rule_form_page(request, rule)


@login_required
@require_POST
def rule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a rule (articles keep what it did)."""
    try:
        rules.rule_delete(user=request.user, pk=pk)
    except Rule.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Rule deleted."))
    return redirect("automation:index")


@login_required
@require_POST
def rule_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a rule one place up (``direction=up``) or down."""
    try:
        rules.rule_move(user=request.user, pk=pk, offset=-1 if request.POST.get("direction") == "up" else 1)
    except Rule.DoesNotExist:
        raise Http404 from None
    return redirect("automation:index")


@login_required
@require_POST
def rules_apply_view(request: HttpRequest) -> HttpResponse:
    """Apply every enabled rule (or the one ``rule`` names) to the whole library in the background."""
    rule_id = request.POST.get("rule")
    try:
        run = rules.rule_run_start(user=request.user, rule_id=int(rule_id) if rule_id else None)
    except (Rule.DoesNotExist, ValueError):
        raise Http404 from None
    except rules.RuleError as exc:
        messages.error(request, exc.message)
        return redirect("automation:index")
    return redirect("automation:run", run.pk)


@login_required
def rule_run_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A library run's progress (htmx polls the fragment; without JavaScript, reload the page)."""
    run = queries.rule_run_get(user=request.user, pk=pk)
    if run is None:
        raise Http404
    template = "automation/_run.html" if _is_htmx(request) else "automation/run.html"
    return render(request, template, {"run": run})


@login_required
def webhook_new_view(request: HttpRequest) -> HttpResponse:
    """Add an endpoint; its page then shows the secret, once."""
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_create(
                user=request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except webhooks.WebhookError as exc:
            form.add_error(None, exc.message)
        else:
            # Post/Redirect/Get: a reload of the endpoint's page must not add a second endpoint. The
            # secret rides in the session to that page, which shows it once and forgets it.
            request.session[SECRET_ONCE_KEY] = {"id": endpoint.pk, "secret": endpoint.secret}
            return redirect("automation:webhook", endpoint.pk)
    return render(request, "automation/webhook_new.html", {"form": form}, status=400 if form.errors else 200)


#: Session key that carries a new endpoint's secret to its page, once.
SECRET_ONCE_KEY = "automation_webhook_secret_once"


def _initial(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}


def _webhook_page(
    request: HttpRequest, endpoint: WebhookEndpoint, form: WebhookForm, secret: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "endpoint": endpoint,
        "form": form,
        "secret": secret,
        "deliveries": queries.deliveries_of(endpoint),
    }
    return render(request, "automation/webhook.html", context, status=status)


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    endpoint = queries.webhook_get(user=request.user, pk=pk)
    if endpoint is None:
        raise Http404
    return endpoint


@login_required
def webhook_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An endpoint: its settings form, state (with the reason it was disabled) and delivery log."""
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhooks.webhook_update(
                    user=request.user,
                    pk=pk,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                )
            except webhooks.WebhookError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("automation:webhook", pk)
        return _webhook_page(request, endpoint, form, status=400)
    once = request.session.pop(SECRET_ONCE_KEY, None)
    secret = once["secret"] if isinstance(once, dict) and once.get("id") == endpoint.pk else ""
    return _webhook_page(request, endpoint, WebhookForm(initial=_initial(endpoint)), secret=secret)


@login_required
@require_POST
def webhook_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """``enable``, ``disable``, ``test`` (send a test event), ``rotate`` (new secret, shown once) or
    ``delete`` an endpoint."""
    endpoint = _endpoint(request, pk)
    if action == "enable":
        webhooks.webhook_update(user=request.user, pk=pk, enabled=True)
        messages.success(request, _("Webhook enabled."))
    elif action == "disable":
        webhooks.webhook_update(user=request.user, pk=pk, enabled=False)
        messages.success(request, _("Webhook disabled."))
    elif action == "test":
        webhooks.webhook_send_test(user=request.user, pk=pk)
        messages.success(request, _("Test event queued; its delivery shows in the log below."))
    elif action == "rotate":
        endpoint = webhooks.webhook_rotate_secret(user=request.user, pk=pk)
        return _webhook_page(
            request, endpoint, WebhookForm(initial=_initial(endpoint)), secret=endpoint.secret
        )
    elif action == "delete":
        webhooks.webhook_delete(user=request.user, pk=pk)
        messages.success(request, _("Webhook deleted."))
        return redirect("automation:index")
    else:
        raise Http404
    return redirect("automation:webhook", pk)

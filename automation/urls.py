"""Routes of the rules and webhooks pages (under /automation/) and their API (under /api/)."""

from django.urls import path

from . import api, views

app_name = "automation"

urlpatterns = [
    path("automation/", views.automation_view, name="index"),
    path("automation/rules/new/", views.rule_new_view, name="rule_new"),
    path("automation/rules/apply/", views.rules_apply_view, name="rules_apply"),
    path("automation/rules/<int:pk>/", views.rule_view, name="rule"),
    path("automation/rules/<int:pk>/delete/", views.rule_delete_view, name="rule_delete"),
    path("automation/rules/<int:pk>/move/", views.rule_move_view, name="rule_move"),
    path("automation/runs/<int:pk>/", views.rule_run_view, name="run"),
    path("automation/webhooks/new/", views.webhook_new_view, name="webhook_new"),
    path("automation/webhooks/<int:pk>/", views.webhook_view, name="webhook"),
    path("automation/webhooks/<int:pk>/<str:action>/", views.webhook_action_view, name="webhook_action"),
    path("api/rules/", api.RuleListApi.as_view(), name="api-rules"),
    path("api/rules/order/", api.RuleOrderApi.as_view(), name="api-rules-order"),
    path("api/rules/preview/", api.RulePreviewApi.as_view(), name="api-rules-preview"),
    path("api/rules/apply/", api.RuleApplyApi.as_view(), name="api-rules-apply"),
    path("api/rules/<int:pk>/", api.RuleDetailApi.as_view(), name="api-rule"),
    path("api/rule-runs/<int:pk>/", api.RuleRunApi.as_view(), name="api-rule-run"),
    path("api/webhooks/", api.WebhookListApi.as_view(), name="api-webhooks"),
    path("api/webhooks/<int:pk>/", api.WebhookDetailApi.as_view(), name="api-webhook"),
    path(
        "api/webhooks/<int:pk>/deliveries/", api.WebhookDeliveriesApi.as_view(), name="api-webhook-deliveries"
    ),
    path("api/webhooks/<int:pk>/test/", api.WebhookTestApi.as_view(), name="api-webhook-test"),
]

"""URL map: the admin, GHL's webhooks, health checks and the REST API."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from console.api import simulator as bots_api
from jorgebot import health, metrics
from leads import oauth as ghl_oauth
from leads import views as lead_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("webhooks/ghl/", lead_views.ghl_webhook, name="ghl-webhook"),
    path("webhooks/ghl/workflow/", lead_views.ghl_workflow_webhook, name="ghl-workflow-webhook"),
    path("integrations/ghl/install/", ghl_oauth.start_install, name="ghl-oauth-start"),
    path("integrations/ghl/oauth/callback/", ghl_oauth.finish_install, name="ghl-oauth-callback"),
    path("health/", health.alive, name="health"),
    path("health/ready/", health.ready, name="health-ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/simulator/", bots_api.SimulatorView.as_view(), name="simulator"),
    path("api/v1/", include("console.api.urls")),
]

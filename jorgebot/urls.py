"""URL map: the admin, GHL's webhooks, health checks and the REST API."""
from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from jorgebot import health
from leads import views as lead_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("webhooks/ghl/", lead_views.ghl_webhook, name="ghl-webhook"),
    path("webhooks/ghl/workflow/", lead_views.ghl_workflow_webhook, name="ghl-workflow-webhook"),
    path("health/", health.alive, name="health"),
    path("health/ready/", health.ready, name="health-ready"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

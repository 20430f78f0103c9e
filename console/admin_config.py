"""Django's admin app, set to use the broker's admin site. Kept apart: it is imported before the models load."""
from django.contrib.admin.apps import AdminConfig


class BrokerAdminConfig(AdminConfig):
    default_site = "console.site.BrokerAdminSite"

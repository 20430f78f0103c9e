"""`manage.py ensure_admin`: make sure a superuser exists with a known password (for `make run` and first deploys)."""
from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the superuser if missing, or reset its password if present. The password is never printed; "
        "without --password it is read from DJANGO_SUPERUSER_PASSWORD, which keeps it out of the process list."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, username: str, password: str | None, email: str, **options: Any) -> None:
        password = password or os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not password:
            raise CommandError("Give --password or set DJANGO_SUPERUSER_PASSWORD")
        user_model = get_user_model()
        user, created = user_model._default_manager.get_or_create(
            **{user_model.USERNAME_FIELD: username}, defaults={"email": email}
        )
        if email:
            user.email = email
        # An existing account of that name becomes the admin too: the command promises a working login.
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        action = "Created superuser" if created else "Reset the password of superuser"
        self.stdout.write(f"{action} {username}")

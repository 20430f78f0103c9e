"""Who may do what with Django's own model permissions: staff only.

A location's brokers and agents use the admin through their memberships (leads.access), never through Django's
per-model permissions. So a member who is not staff holds none, and the admin's sidebar does not ask the database
about them on every page for the auth, token and schedule admins she cannot open anyway (two queries a page).
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class StaffPermissionsBackend(ModelBackend):
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return super().get_user_permissions(user_obj, obj) if _is_staff(user_obj) else set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return super().get_group_permissions(user_obj, obj) if _is_staff(user_obj) else set()


def _is_staff(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser)

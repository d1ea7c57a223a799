from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"

    def ready(self) -> None:
        # Celery autodiscovers only notices.tasks; the letter batch task lives in its own module.
        # Registers this app's checks of saved rows for ``check_records`` (cases.record_checks).
        from notices import (
            batch_tasks,  # noqa: F401
            record_checks,  # noqa: F401
        )

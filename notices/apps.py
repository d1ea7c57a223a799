from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"

    def ready(self) -> None:
        # Celery autodiscovers only notices.tasks; the letter batch task lives in its own module.
        from notices import batch_tasks  # noqa: F401

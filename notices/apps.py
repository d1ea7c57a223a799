from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"

    def ready(self) -> None:
        # Celery autodiscovers only notices.tasks; the letter batch and bundle tasks live in their packages.
        # Registers this app's checks of saved rows for ``check_records`` (cases.record_checks).
        from notices import record_checks  # noqa: F401
        from notices.bundle import tasks as bundle_tasks  # noqa: F401
        from notices.letters import tasks  # noqa: F401

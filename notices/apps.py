from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"

    def ready(self) -> None:
        # Celery autodiscovers only notices.tasks; the letter batch and bundle tasks live in their packages.
        # Registers this app's checks of saved rows for ``check_records`` (cases.record_checks).
        # Its part of "My work" and the emails saying something arrived (cases.my_work); the notices-by-outcome
        # tables of the LA's attendance report (cases.report_sections).
        from notices import my_work, record_checks, reports  # noqa: F401
        from notices.bundle import tasks as bundle_tasks  # noqa: F401
        from notices.letters import tasks  # noqa: F401

        my_work.register()

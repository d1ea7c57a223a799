from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        # Registers this app's checks of saved rows for ``check_records`` (cases.record_checks).
        import meetings.record_checks  # noqa: F401

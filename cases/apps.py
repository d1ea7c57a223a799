from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        # Registers this app's checks of saved rows for ``check_records`` (cases.record_checks).
        import cases.casework_checks  # noqa: F401

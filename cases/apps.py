from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        # Connects the audit's receivers (every sign-in, sign-out and failed sign-in), and registers this app's
        # checks of saved rows for ``check_records`` (cases.record_checks).
        import cases.audit  # noqa: F401
        import cases.casework_checks  # noqa: F401

        # Its part of "My work" and the emails saying something arrived (cases.my_work).
        from cases import work_providers

        work_providers.register()

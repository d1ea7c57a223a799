from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "interventions"

    def ready(self) -> None:
        # Registers this app's checks of saved rows for ``check_records`` (cases.record_checks).
        import interventions.record_checks  # noqa: F401

        # Its part of "My work" and the emails saying something arrived (cases.my_work).
        from interventions import my_work

        my_work.register()

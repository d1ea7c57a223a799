"""python manage.py case_states_diagram: the case's state machine as a Mermaid diagram on stdout."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases.diagram import case_states_mermaid


class Command(BaseCommand):
    help = "Print the attendance case's state diagram (Mermaid), generated from the state machine."

    def handle(self, *args, **options) -> None:
        self.stdout.write(case_states_mermaid(), ending="")

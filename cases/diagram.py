"""The case's state diagram, drawn from the state machine itself so the docs can never drift.

``python manage.py case_states_diagram`` prints it as Mermaid (GitHub renders it); the README holds
the current output between markers and a test fails if the two differ.
"""

from __future__ import annotations

from cases.ladder import TRANSITION_LABELS
from cases.models import Case, CaseState


def case_states_mermaid() -> str:
    field = Case._meta.get_field("state")
    lines = ["stateDiagram-v2", f"    [*] --> {CaseState.CONCERN.value}: case opened"]
    for state in CaseState:
        lines.append(f"    {state.value}: {state.label}")
    edges: list[tuple[str, str, str]] = []
    for transition in field.get_all_transitions(Case):
        source = transition.source
        target = transition.target
        # GET_STATE (resume) returns to wherever the case was held: draw an edge to each.
        targets = list(target.allowed_states) if hasattr(target, "allowed_states") else [target]
        label = TRANSITION_LABELS.get(transition.name, transition.name).replace(":", "")
        for to in targets:
            edges.append((str(source), str(to), label))
    for source, to, label in sorted(set(edges), key=lambda e: (list(CaseState).index(e[0]), list(CaseState).index(e[1]))):
        lines.append(f"    {source} --> {to}: {label}")
    lines.append(f"    {CaseState.CLOSED.value} --> [*]")
    return "\n".join(lines) + "\n"

"""The README's state diagram is the one the state machine draws: the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from cases.diagram import case_states_mermaid
from cases.models import CaseState


def test_readme_holds_the_current_state_diagram():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    found = re.search(r"<!-- case-states:start -->\n```mermaid\n(.*?)```\n<!-- case-states:end -->", readme, re.S)
    assert found, "README.md has lost its case-states markers"
    assert found.group(1) == case_states_mermaid(), "run: python manage.py case_states_diagram, and paste it in"


def test_diagram_has_every_state_and_the_resume_edges():
    diagram = case_states_mermaid()
    for state in CaseState:
        assert f"    {state.value}: {state.label}" in diagram
    assert "on_hold --> formal_support: Resume the case" in diagram
    assert "concern --> notice_to_improve" not in diagram  # support first: no jumping the ladder

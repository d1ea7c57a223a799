"""The MIS imports of contract.md section 1, as services the commands (and later views) call.

Each import reads the whole file, validates every row, and then writes everything in one
transaction, or raises ImportFailed listing every problem as ``FILE:LINE: column: reason``.
"""

from cases.imports.csvfile import ImportFailed, ImportResult, Problem
from cases.imports.parents import import_parents
from cases.imports.pupils import import_pupils
from cases.imports.register import import_register

__all__ = ["ImportFailed", "ImportResult", "Problem", "import_parents", "import_pupils", "import_register"]

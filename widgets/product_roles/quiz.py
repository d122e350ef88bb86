"""Practice exercises beyond the responsibility sort, for notebooks to import.

``MultipleChoice("<id>")`` shows a question whose wrong options each name a
misconception; ``custom_sort("<id>")`` builds a card sort whose cards are not
responsibilities (claims to sort by their evidence, for example). Both read the
question bank in ``data/questions/``.
"""

from .choice import CoreMultipleChoice, MultipleChoice
from .questionbank import CustomSort, Option, Question, bank, custom_sort, parse_bank

__all__ = [
    "CoreMultipleChoice",
    "CustomSort",
    "MultipleChoice",
    "Option",
    "Question",
    "bank",
    "custom_sort",
    "parse_bank",
]

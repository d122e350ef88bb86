"""Product Owner vs Product Manager in the age of AI: the course's package.

It holds the responsibility catalogue, the card-sort widget, grading helpers for
nbgrader and the course's charts.
"""

from .cardsort import CardSort
from .catalogue import Catalogue, CatalogueError, load
from .shift import ShiftExercise
from .sortstate import SortState

__all__ = ["CardSort", "Catalogue", "CatalogueError", "ShiftExercise", "SortState", "load"]
__version__ = "0.1.0"

"""The widgets learners use: card sorts, multiple choice and the two-step shift exercise.

Each is a small anywidget with a core-ipywidgets fallback (``coresort``), saving to the
answers file of :mod:`product_roles.grading.answers`; their views are in ``frontend``.
"""

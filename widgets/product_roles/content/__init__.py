"""The course's content as data: the catalogue, the evidence, the question bank.

Every file in ``data/`` is read by :func:`.loader.read_yaml` and checked on load; a
problem is a :class:`.loader.ContentError` naming the file, the entry and the field.
This layer imports only the grading layer below it, and no widget or chart library.
"""

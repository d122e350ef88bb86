"""The instructor's tools: release, grade in parallel, feedback and the class report.

Each command of the ``product-roles`` console script lives in its own module here.
:mod:`.pipeline` puts trusted scoring (:mod:`.trusted`) and sandboxed kernels
(:mod:`.sandboxed_execute`, :mod:`.sandbox`) into nbgrader's own pipelines;
:mod:`.parallel` grades a class with several isolated workers, and
:mod:`.forkkernel` gives each submission a fresh kernel forked from a warm server.
"""

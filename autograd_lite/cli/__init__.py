"""The command line: ``autograd-lite`` / ``python -m autograd_lite`` (``main``), its ``grad``
command (``grad``) and the safe expression language it reads (``expr``)."""

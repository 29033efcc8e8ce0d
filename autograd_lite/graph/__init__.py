"""Readers of a finished graph: diagrams (``diagram``, drawn by ``render``), the Wengert list
(``wengert``) and the backward pass one step at a time (``steps``)."""

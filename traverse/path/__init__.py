"""Reconstructing the path: frames → stations, drives and lunar days.

:mod:`~traverse.path.smoothing` and :mod:`~traverse.path.stations` classify
frames as at rest or moving, :mod:`~traverse.path.drives` cuts and measures
the drives, :mod:`~traverse.path.days` numbers and sums lunar days, and
:mod:`~traverse.path.reconstruct` composes them into one :class:`Traverse`.
"""

from traverse.path.reconstruct import Traverse, reconstruct

__all__ = ["Traverse", "reconstruct"]

"""What the science stage needs from a label, taken from the read pass's one parse of it.

The read pass (:func:`traverse.read.frames.read_product`) parses every label
once; for the products the science stage (:mod:`traverse.science.along_track`)
reads again, it keeps what that stage would otherwise parse the label a
second time for, on :attr:`traverse.read.archive.Product.science`:

* a radar product of the mission's ``pose_readers`` whose record format has
  echoes, with its data file: :class:`RadarLabel` (record layout, echo group,
  sample interval);
* a label product with its data file and a ``Table_Character`` whose
  ``bands`` are a range in nm (VNIS-SD): :class:`traverse.read.spectra.SpectrumLabel`;
* anything else: ``None``.

``None`` is also what a label the science stage could not use gives here,
whatever the error: nothing here reports or raises (the read pass must not
fail, or report differently, for what only the science stage uses).  The science stage then parses the label
itself and meets, and reports, the error it always did; it does the same for
products whose frames came from the cache of parsed products
(:mod:`traverse.read.cache` does not store these), so warm and cold builds
give the same science.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from traverse import missions
from traverse.read.archive import Product
from traverse.read.echoes import EchoGroup, echo_group, sample_interval_ns
from traverse.read.poses import PoseLayout
from traverse.read.spectra import SpectrumLabel, spectrum_label

__all__ = ["RadarLabel", "science_label"]


@dataclass(frozen=True)
class RadarLabel:
    """A radar label's record layout, echo group and sample interval (ns; NaN where it states none)."""

    layout: PoseLayout
    group: EchoGroup
    interval_ns: float


def science_label(prod: Product, lab: dict, root: etree._Element,
                  mission: missions.Mission) -> RadarLabel | SpectrumLabel | None:
    """What the science stage needs from this parsed label (module docstring), or ``None``.

    Parameters
    ----------
    prod
        The product (its name decides radar or not; a product without its data file gives ``None``).
    lab, root
        Its label as :func:`traverse.read.labels.parse_label_tree` gives it.
    mission
        Its mission (``pose_readers``: the radar instruments and their record formats).
    """
    if prod.data is None:
        return None
    source = str(prod.label)
    try:
        if prod.name.instrument in mission.pose_readers:
            if lab["table"] is None:
                return None
            layout = PoseLayout.from_table(lab["table"], mission.pose_readers[prod.name.instrument],
                                           source=source, level=prod.name.level)
            if layout.format.echo_group is None:
                return None
            return RadarLabel(layout, echo_group(root, layout.format, layout.record_length, source=source),
                              sample_interval_ns(root, layout.format))
        if lab["image"] is not None or next(root.iter("{*}Table_Character"), None) is None:
            return None
        return spectrum_label(root, source)
    except Exception:  # noqa: BLE001 - whatever it is, the science stage meets it again and reports it
        return None

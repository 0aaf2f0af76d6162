"""The thresholds of the path reconstruction, in one frozen dataclass with their sources.

:func:`traverse.reconstruct` and each step (:func:`~traverse.path.stations.rover_track`,
:func:`~traverse.path.drives.drives_from_track`, ...) take one ``settings``
argument; the defaults live here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

__all__ = ["ReconstructionSettings", "DEFAULT_SETTINGS"]


@dataclass(frozen=True)
class ReconstructionSettings:
    """Thresholds of stations, smoothing and drives (units in each name).

    Attributes
    ----------
    max_stop_diameter_m
        Metres (lander ENU, horizontal): frames closer than this are one stop;
        two stations closer than this with no radar between are one stop
        across a lunar night.  0.3 m: about a fifth of the rover's 1.5 m
        length, far above LPR jitter (1–2 cm) and far below a drive step.
    smooth_window_s
        Seconds, the shortest centred moving-average window over LPR
        positions.  10 s: about ten records at the radar's ~1 record/s, which
        divides independent 1.5 cm jitter by ~3, while at Yutu-2's few cm/s
        it spans ~30 cm of path.
    min_smooth_records
        An LPR product is smoothed over at least this many median record
        intervals.  5: halves independent jitter (÷√5) and keeps 10 s for any
        product with records at most 2 s apart; the real LPR-1 channel
        (~6.4 s per record) gets ~32 s.
    max_rest_speed_m_s
        Metres per second: an LPR record slower than this (smoothed) is at
        rest.  0.01 m/s: a fifth of Yutu-2's ~0.055 m/s (200 m/h, CNSA via
        CCTV at landing) top speed and ~20 times the apparent speed of
        1.5 cm jitter after 10 s of smoothing.
    max_drive_speed_m_s
        Metres per second: a step between consecutive records faster than
        this (and longer than ``max_stop_diameter_m``) cannot have been
        driven, so the product holds navigation fixes.  0.1 m/s: about
        twice Yutu-2's top speed.
    min_stop_duration_s
        Seconds: a run of LPR-only rest records shorter than this is a pause
        inside a drive, not a stop.  60 s: long against the smoothing window,
        short against the minutes the cameras spend at a stop.
    min_step_m
        Metres: vertex spacing of drive lines and lengths (minimum-step
        resampling, :func:`~traverse.path.drives.resample_min_step`).  0.1 m:
        about 20 times the jitter left after smoothing, a few LPR record
        spacings at drive speed.
    max_inferred_lunar_days
        Local days (lunar days, sols): a straight inferred drive joins two
        stations at most this many days apart.  1: the same day or the next;
        with a whole day between them the rover worked through a day the
        archive does not hold, its path is unknown and the jump is a gap
        (:mod:`traverse.path.coverage`).
    max_inferred_drive_m
        Metres (lander ENU, horizontal): a straight inferred drive is at most
        this long; a longer jump between consecutive stations with no radar
        between is a gap.  80 m: the most Yutu-2 drove in any lunar day that
        CNSA announced (75.8 m on lunar day 2, 44.185 → 120 m), while the real
        2019 PCAM list has 2–6 panorama sequences per lunar day (7–15 m of
        announced driving per sequence), so a move between two imaging stops
        of one day is far shorter (DESIGN.md, "Partial archives").
    view_length_m
        Metres: length of a view wedge whose label gives no observed point
        (:func:`~traverse.path.views.view_wedges`); 5 m, a few rover lengths.
    """

    max_stop_diameter_m: float = 0.3
    smooth_window_s: float = 10.0
    min_smooth_records: int = 5
    max_rest_speed_m_s: float = 0.01
    max_drive_speed_m_s: float = 0.1
    min_stop_duration_s: float = 60.0
    min_step_m: float = 0.1
    max_inferred_lunar_days: int = 1
    max_inferred_drive_m: float = 80.0
    view_length_m: float = 5.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number, got {value!r}")
            if value < 0 or (value == 0 and f.name not in ("max_rest_speed_m_s", "min_stop_duration_s",
                                                            "max_inferred_lunar_days")):
                raise ValueError(f"{f.name} must be positive, got {value!r}")

    def replace(self, **changes: float) -> ReconstructionSettings:
        """A copy with some thresholds changed (names as the attributes)."""
        return dataclasses.replace(self, **changes)


#: The defaults, as documented on :class:`ReconstructionSettings`.
DEFAULT_SETTINGS = ReconstructionSettings()

"""Generated LPR records with known truth, shared by the LPR and CLI tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def lpr_poses(n: int = 50, *, start="2019-01-11T09:00:00Z", ref=(-10.0, 4.0, 0.3),
              step_m: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Records of a rover driving north from a reference point (lander ENU ``ref``).

    Truth: record ``i`` is at E = ref_e + 0.02, N = ref_n + i * step_m,
    U = ref_u - 0.01 (metres), attitude pitch 0.1 rad.
    """
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "time_utc": pd.date_range(start, periods=n, freq="1500ms"),
            "ref_e_m": ref[0], "ref_n_m": ref[1], "ref_u_m": ref[2],
            "dx_north_m": np.arange(n) * step_m,
            "dy_east_m": 0.02,
            "dz_down_m": 0.01,
            "velocity_m_s": step_m / 1.5,
            "pitch_rad": 0.1,
            "roll_rad": rng.uniform(-0.05, 0.05, n),
            "yaw_rad": -np.pi / 2,
        }
    )

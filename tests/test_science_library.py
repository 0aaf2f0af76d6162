"""The library's science call on the real products: a radargram as a numpy array with its axes, a
spectrum as a DataFrame (README "Library")."""

from __future__ import annotations

import numpy as np

import traverse

LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"
SD = "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2B"


def test_science_of_the_real_archive(ce4):
    sci = traverse.science_of(ce4)
    (dr,) = sci.radargrams
    assert (dr.drive_id, dr.product_id) == (1, LPR1)
    rg = dr.radargram
    assert rg.image.dtype == np.float32 and rg.image.shape == (8192, len(rg.along_m)) == (8192, 113)
    assert rg.along_m[-1] == np.float64(rg.along_m[-1]) and 5.5 < rg.along_m[-1] < 5.7  # metres
    assert rg.time_ns[:3].tolist() == [0.0, 2.5, 5.0] and rg.depth_m[1] > 0
    assert rg.permittivity == 3.0 and rg.processing == ("dewow", "background", "gain")
    assert {"record", "time_utc", "along_m", "column", "x_east_m", "y_north_m"} <= set(rg.traces)
    spec = sci.spectra
    assert len(spec) == 300 and set(spec["product_id"]) == {SD}
    assert spec["wavelength_nm"].iloc[[0, -1]].tolist() == [900.0, 2395.0]
    assert set(spec["level"]) == {"2B Calibrated"} and set(spec["unit"]) == {""}  # the label states none
    assert any("LPR-2A" in str(p.source) for p in sci.problems)  # labels without their data: listed
    radar_only = traverse.science_of([ce4], spectra=False)
    assert radar_only.spectra.empty and len(radar_only.radargrams) == 1


def test_readme_library_example_runs(ce4):
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```py\n(.*?)```", text, re.DOTALL) if "science_of" in b)
    namespace: dict = {}
    exec(compile(block.replace('"../shared/data/ce4"', repr(str(ce4))), "README.md", "exec"), namespace)
    assert namespace["rg"].image.shape[0] == 8192 and len(namespace["sci"].spectra) == 300

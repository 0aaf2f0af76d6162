"""The lander site (control network) travels with the data: read, reconstruct, write and draw agree."""

from __future__ import annotations

import numpy as np
import pytest

from layers.geopackage import write_geopackage
from layers.webmap import build_webmap
from traverse import Traverse, read_frames, reconstruct
from traverse.errors import SiteMismatchError
from traverse.geodesy import LANDER_LABEL, LANDER_LRO, enu_to_lonlat, site_of
from traverse.synthetic.sample import write_sample_archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site") / "ce4"
    write_sample_archive(folder)
    return folder


def test_readme_example_with_lro_control_puts_stations_at_the_lro_site(archive):
    frames, report = read_frames([archive], control="lro")  # the README's library example
    trav = reconstruct(frames)
    assert isinstance(trav, Traverse) and trav.site == LANDER_LRO
    st = trav.stations
    lon, lat, _ = enu_to_lonlat(st["x_east_m"], st["y_north_m"], st["z_up_m"], LANDER_LRO)
    np.testing.assert_allclose(st["lon"], lon, atol=1e-9)
    np.testing.assert_allclose(st["lat"], lat, atol=1e-9)
    assert trav.lander.loc[0, "control"] == "lro"
    for name, layer in trav.layers().items():
        assert site_of(layer) == LANDER_LRO, name


def test_mixing_sites_is_an_error_that_names_both(archive, tmp_path):
    frames, _ = read_frames([archive], control="lro")
    with pytest.raises(SiteMismatchError, match=r"'label' .*'lro'|'lro' .*'label'"):
        reconstruct(frames, site=LANDER_LABEL)
    trav = reconstruct(frames)
    label_stations = reconstruct(read_frames([archive])[0]).stations
    with pytest.raises(SiteMismatchError, match="one control network"):
        write_geopackage(tmp_path / "t.gpkg", {"lander": trav.lander, "stations": label_stations})
    with pytest.raises(SiteMismatchError):
        build_webmap(tmp_path / "t.html", {**trav.layers(), "stations": label_stations})
    assert list(tmp_path.iterdir()) == []


def test_site_survives_geoparquet(archive, tmp_path):
    import geopandas as gpd

    frames, _ = read_frames([archive], control="lro")
    frames.to_parquet(tmp_path / "f.parquet")
    back = gpd.read_parquet(tmp_path / "f.parquet")
    assert reconstruct(back).site == LANDER_LRO

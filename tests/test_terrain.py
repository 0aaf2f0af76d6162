"""Terrain from a DEM with known slope: a plane tilted 10° up to the east around the lander."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS as RioCRS
from rasterio.transform import from_origin

from tests.traverse_truth import make_frames
from traverse import geodesy
from traverse.errors import TerrainWarning
from traverse.path.reconstruct import reconstruct
from traverse.path.terrain import add_terrain

TILT = np.tan(np.radians(10.0))


def _plane_dem(path, *, size_m=400.0, pixel_m=1.0, z0=-2000.0):
    """z = z0 + tan(10°)·x in the lander-centred AEQD (metres), x east."""
    n = int(size_m / pixel_m)
    x = (np.arange(n) + 0.5) * pixel_m - size_m / 2
    z = np.tile(z0 + TILT * x, (n, 1)).astype("float32")
    profile = {"driver": "GTiff", "width": n, "height": n, "count": 1, "dtype": "float32",
               "crs": RioCRS.from_wkt(geodesy.local_crs(geodesy.LANDER_LABEL).to_wkt()),
               "transform": from_origin(-size_m / 2, size_m / 2, pixel_m, pixel_m), "nodata": np.nan}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z, 1)
    return path


@pytest.fixture(scope="module")
def terrain(tmp_path_factory):
    dem = _plane_dem(tmp_path_factory.mktemp("dem") / "plane.tif")
    stops = [(0, 0, 0), (30, 0, 0), (30, 40, 0), (0, 40, 0), (-50, -20, 0)]
    truth = make_frames(stops, noise_m=0.01, seed=3)
    return add_terrain(reconstruct(truth.frames), dem), truth


def test_station_elevations_follow_the_plane(terrain):
    trav, _ = terrain
    to_aeqd = geodesy.lonlat_to_crs_transformer(geodesy.local_crs(geodesy.LANDER_LABEL))
    x, _ = to_aeqd.transform(trav.stations["lon"].to_numpy(), trav.stations["lat"].to_numpy())
    np.testing.assert_allclose(trav.stations["elevation_m"], -2000.0 + TILT * x, atol=0.1)


def test_slopes_and_grades(terrain):
    trav, truth = terrain
    dr = trav.drives
    np.testing.assert_allclose(dr["slope_max_deg"], 10.0, atol=0.2)
    np.testing.assert_allclose(dr["slope_mean_deg"], 10.0, atol=0.2)
    # grade follows the bearing: east +10°, north 0°, west -10°, south-west in between
    e = np.diff(truth.stops_enu[:, 0])
    n = np.diff(truth.stops_enu[:, 1])
    expected = np.degrees(np.arctan(TILT * e / np.hypot(e, n)))
    np.testing.assert_allclose(dr["grade_deg"], expected, atol=0.1)
    climb = np.maximum(TILT * e, 0)
    np.testing.assert_allclose(dr["elevation_gain_m"], climb, atol=0.1)
    np.testing.assert_allclose(dr["elevation_loss_m"], np.maximum(-TILT * e, 0), atol=0.1)
    np.testing.assert_allclose(dr["length_terrain_m"], np.hypot(dr["length_2d_m"], TILT * e), rtol=1e-3)
    assert (dr["length_terrain_m"] >= dr["length_2d_m"] - 1e-9).all()
    day = trav.days.iloc[0]
    assert day["elevation_gain_m"] == pytest.approx(dr["elevation_gain_m"].sum())


def test_outside_the_dem_is_missing_with_one_warning(tmp_path):
    dem = _plane_dem(tmp_path / "small.tif", size_m=60.0)
    truth = make_frames([(0, 0, 0), (20, 0, 0), (200, 0, 0)], noise_m=0.0, seed=1)
    with pytest.warns(TerrainWarning, match="outside") as caught:
        trav = add_terrain(reconstruct(truth.frames), dem)
    assert len([w for w in caught if w.category is TerrainWarning]) == 1
    assert np.isfinite(trav.stations["elevation_m"].iloc[:2]).all()
    assert np.isnan(trav.stations["elevation_m"].iloc[2])
    assert np.isfinite(trav.drives["grade_deg"].iloc[0]) and np.isnan(trav.drives["grade_deg"].iloc[1])


def _raster(path, data, *, tags=None):
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
               "dtype": str(data.dtype),
               "crs": RioCRS.from_wkt(geodesy.local_crs(geodesy.LANDER_LABEL).to_wkt()),
               "transform": from_origin(-50, 50, 1.0, 1.0)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        if tags:
            dst.update_tags(**tags)
    return path


def test_dem_or_image_decided_by_content_not_name(tmp_path):
    from layers.basemaps import warp_basemap

    rng = np.random.default_rng(0)
    heights = _raster(tmp_path / "photo_of_the_site.tif", rng.normal(-2000, 5, (100, 100)).astype("float32"))
    photo = _raster(tmp_path / "dem_dtm_elevation.tif", rng.integers(0, 255, (100, 100)).astype("uint8"))
    assert warp_basemap(heights).kind == "dem"
    assert warp_basemap(photo).kind == "image"
    assert warp_basemap(photo, kind="dem").kind == "dem"  # --dem is the explicit override


def test_lro_control_decided_from_metadata_and_said(tmp_path):
    from layers.basemaps import warp_basemap

    data = np.zeros((100, 100), "float32")
    tagged = warp_basemap(_raster(tmp_path / "site.tif", data, tags={"SOURCE": "LROC NAC DTM"}))
    assert tagged.lro is not None and "tag SOURCE" in tagged.lro
    named = warp_basemap(_raster(tmp_path / "NAC_DTM_CHANGE4.tif", data))
    assert named.lro is not None and "file name" in named.lro
    assert warp_basemap(_raster(tmp_path / "plain.tif", data)).lro is None


def test_build_with_dem_writes_terrain_columns(tmp_path):
    import pyogrio

    from traverse.cli import main
    from traverse.synthetic.sample import write_sample_archive

    write_sample_archive(tmp_path / "ce4")
    dem = _plane_dem(tmp_path / "plane.tif", size_m=1200.0, pixel_m=4.0)
    stem = tmp_path / "maps" / "t"
    assert main(["build", str(tmp_path / "ce4"), "-o", str(stem), "--dem", str(dem), "-q"]) == 0
    stations = pyogrio.read_dataframe(stem.with_suffix(".gpkg"), layer="stations")
    drives = pyogrio.read_dataframe(stem.with_suffix(".gpkg"), layer="drives")
    assert stations["elevation_m"].notna().all()
    assert np.allclose(drives["slope_mean_deg"], 10.0, atol=0.2)
    html = stem.with_suffix(".html").read_text()
    assert "Elevation (DEM)" in html and "terrain slope" in html
    days = __import__("pandas").read_csv(stem.with_name("t_days.csv"))
    assert {"elevation_gain_m", "elevation_loss_m"} <= set(days.columns)

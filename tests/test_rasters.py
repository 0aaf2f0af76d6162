"""Unusable ``--dem``/``--basemap`` rasters: one line and exit 2 before any work, nothing written.

Six kinds from issue 22 (an Earth CRS, a Mars CRS under a Moon traverse, no
CRS, 1 × 1 pixel, a declared 10⁶ × 10⁶ size, a degenerate transform) and a DEM
far finer than a traverse needs; and no dependency's deprecation notice on a
DEM build.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS as RioCRS
from rasterio.transform import from_origin

from traverse import geodesy
from traverse.cli import main
from traverse.errors import RasterError
from traverse.rasters import check_raster

LANDER = geodesy.LANDER_LABEL


def _local_wkt() -> str:
    return geodesy.local_crs(LANDER).to_wkt()


def _tif(path, *, crs, size=(64, 64), transform=None, dtype="float32"):
    h, w = size
    profile = {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": dtype,
               "transform": transform or from_origin(-w / 2 * 20, h / 2 * 20, 20, 20)}
    if crs is not None:
        profile["crs"] = RioCRS.from_wkt(crs) if "[" in crs else RioCRS.from_user_input(crs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(np.tile(np.arange(w, dtype=dtype), (h, 1)), 1)
    return path


def _vrt(path, *, size, geotransform, source):
    """A VRT declaring ``size`` (width, height) over ``source``: a few hundred bytes, any size."""
    w, h = size
    wkt = _local_wkt().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path.write_text(
        f'<VRTDataset rasterXSize="{w}" rasterYSize="{h}"><SRS>{wkt}</SRS>'
        f"<GeoTransform>{', '.join(map(str, geotransform))}</GeoTransform>"
        f'<VRTRasterBand dataType="Float32" band="1"><SimpleSource>'
        f'<SourceFilename relativeToVRT="0">{source}</SourceFilename><SourceBand>1</SourceBand>'
        f"</SimpleSource></VRTRasterBand></VRTDataset>")
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from traverse.synthetic.sample import write_sample_archive

    root = tmp_path_factory.mktemp("ce4")
    write_sample_archive(root, days=2)
    return root


def _bad_rasters(folder):
    good = _tif(folder / "good.tif", crs=_local_wkt())
    mars = geodesy.MARS_BODY.crs.to_wkt()
    return {
        "earth": (_tif(folder / "earth.tif", crs="EPSG:4326", transform=from_origin(177, -45, 1e-4, 1e-4)),
                  "on the Earth, but the traverse is on the Moon"),
        "mars": (_tif(folder / "mars.tif", crs=mars, transform=from_origin(177, -45, 1e-4, 1e-4)),
                 "on Mars, but the traverse is on the Moon"),
        "no crs": (_tif(folder / "nocrs.tif", crs=None), "has no CRS"),
        "1x1": (_tif(folder / "one.tif", crs=_local_wkt(), size=(1, 1)), "1 x 1 pixels"),
        "huge": (_vrt(folder / "huge.vrt", size=(10**6, 10**6), geotransform=(-5e5, 1, 0, 5e5, 0, -1),
                      source=good), "1,000,000 x 1,000,000 pixels"),
        "degenerate": (_vrt(folder / "flat.vrt", size=(64, 64), geotransform=(0, 0, 0, 0, 0, 0),
                            source=good), "degenerate transform"),
    }


@pytest.mark.parametrize("kind", ["earth", "mars", "no crs", "1x1", "huge", "degenerate"])
@pytest.mark.parametrize("option", ["--dem", "--basemap"])
def test_unusable_rasters_are_one_line_and_nothing_written(archive, tmp_path, capsys, kind, option):
    path, words = _bad_rasters(tmp_path)[kind]
    out = tmp_path / "maps"
    out.mkdir()
    assert main(["build", str(archive), "-o", str(out / "t"), option, str(path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and f"{option} {path}" in err, err
    assert list(out.iterdir()) == []


def test_library_refuses_them_as_raster_errors(tmp_path):
    for path, words in _bad_rasters(tmp_path).values():
        with pytest.raises(RasterError, match=words.replace("(", r"\(")):
            check_raster(path, geodesy.MOON_BODY)
    assert check_raster(tmp_path / "good.tif", geodesy.MOON_BODY) == 1


def test_a_dem_far_finer_than_the_traverse_is_refused_before_any_output(archive, tmp_path, capsys):
    good = _tif(tmp_path / "good.tif", crs=_local_wkt())
    fine = _vrt(tmp_path / "fine.vrt", size=(65_000, 65_000), geotransform=(-65, 0.002, 0, 65, 0, -0.002),
                source=good)
    out = tmp_path / "maps"
    out.mkdir()
    assert main(["build", str(archive), "-o", str(out / "t"), "--dem", str(fine), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "resample it coarser" in err
    assert list(out.iterdir()) == []


def test_a_dem_build_prints_no_deprecation_and_reads_without_one(archive, tmp_path, capsys):
    from tests.test_terrain import _plane_dem
    from traverse.path.terrain import read_dem

    dem = _plane_dem(tmp_path / "plane.tif", size_m=1200.0, pixel_m=4.0)
    assert main(["build", str(archive), "-o", str(tmp_path / "maps" / "t"), "--dem", str(dem), "-q"]) == 0
    assert capsys.readouterr().err == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the cause is gone, not hidden: affine's `*` is not used
        read_dem(dem, [LANDER.lon_deg, LANDER.lon_deg + 0.001], [LANDER.lat_deg, LANDER.lat_deg + 0.001])

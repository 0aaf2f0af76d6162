"""Mutated products, as a hostile or careless archive would hold them, for the fuzz suite.

Each mutation class is a function ``mutate(rng, folder, seeds) -> list[Path]``
that writes one or more bad files into ``folder`` from seed material
(real products from ``../shared/data/ce4`` and generated ones) and returns
the paths it wrote.  :data:`CLASSES` lists them by name; a new reader adds its
own classes here (and its good-product factory to :func:`write_good`), and
``tests/test_fuzz.py`` and ``bench/fuzz_long.py`` pick them up.

Every mutant gets a product name of its own (sequence 9000+), so the good
products mixed into the same batch can be told apart.
"""

from __future__ import annotations

import functools
import random
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from traverse.synthetic.products import write_label_product, write_lpr_product
from traverse.synthetic.roper import write_roper_product

CE4 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ce4"
LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"
VNIS = "CE4_GRAS_VNIS-VD_SCI_N_20200716031001_20200716100000_0136_B.2BL"
ROPER = CE4.parent / "tw1" / "roper"
ROPER_LF = "HX1-Ro_GRAS_RoPeR-LF-RI_SCI_N_20210525042000_20210525042951_00011_A.2B"


@dataclass(frozen=True)
class Seeds:
    """Material to mutate: label texts and (label, binary) pairs, real where available."""

    labels: list[bytes]
    lpr: list[tuple[bytes, bytes]]
    roper: list[tuple[bytes, bytes]] = ()


def load_seeds(folder: Path) -> Seeds:
    """Real VNIS and LPR-1 products (when ``../shared`` is there) and generated ones."""
    labels, lpr = [], []
    if CE4.is_dir():
        labels.append((CE4 / "vnis" / VNIS).read_bytes())
        lpr.append(((CE4 / "lpr" / f"{LPR1}L").read_bytes(), (CE4 / "lpr" / LPR1).read_bytes()[:8 * 32883]))
    gen = folder / "seed"
    lab = write_label_product(gen, "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z"),
                              rover_xyz=(1.0, 2.0, 0.0))
    labels.append(lab.read_bytes())
    poses = pd.DataFrame({
        "time_utc": pd.date_range("2019-01-11T09:00:00Z", periods=6, freq="1s"),
        "ref_e_m": 1.0, "ref_n_m": 2.0, "ref_u_m": 0.0, "dx_north_m": 0.0, "dy_east_m": 0.0,
        "dz_down_m": 0.0, "velocity_m_s": 0.0, "pitch_rad": 0.0, "roll_rad": 0.0, "yaw_rad": 0.0,
    })
    l_path, d_path = write_lpr_product(gen / "lpr", poses)
    lpr.append((l_path.read_bytes(), d_path.read_bytes()))
    roper = []
    if ROPER.is_dir():
        data = (ROPER / ROPER_LF).read_bytes()[: 4 * 12069]  # the first 4 of 14 records
        label = (ROPER / f"{ROPER_LF}L").read_bytes().replace(b">14</records>", b">4</records>")
        roper.append((label.replace(b">168966</file_size>", f">{len(data)}</file_size>".encode()), data))
    r_label, r_data = write_roper_product(gen / "roper", _zhurong_poses(8, 0.0), sequence_id=11)
    roper.append((r_label.read_bytes(), r_data.read_bytes()))
    return Seeds(labels, lpr, roper)


def _zhurong_poses(n: int, step_m: float) -> pd.DataFrame:
    return pd.DataFrame({
        "time_utc": pd.date_range("2021-05-25T04:20:00Z", periods=n, freq="1s"),
        "x_east_m": [5.4 - step_m * i for i in range(n)], "y_north_m": 0.1, "z_up_m": 0.4,
        "heading_deg": 270.0,
    })


def write_good_zhurong(folder: Path) -> set[str]:
    """Two good RoPeR products (generated); their product ids.  Zhurong batches are read alone:
    a folder mixing missions is refused as a whole, by design."""
    ids = set()
    for seq in (12, 13):
        _, data = write_roper_product(folder, _zhurong_poses(40, 0.03), sequence_id=seq)
        ids.add(data.name)
    return ids


def write_good(folder: Path, n: int = 3) -> set[str]:
    """``n`` good PCAM labels and one good LPR product; their product ids."""
    ids = set()
    for i in range(n):
        start = pd.Timestamp("2019-01-04T04:00:00Z") + pd.Timedelta(minutes=i)
        path = write_label_product(folder, "PCAML-C", start, frame=i, sequence_id=1 + i,
                                   rover_xyz=(1.0 + i, 2.0, 0.0))
        ids.add(path.name[:-1])
    poses = pd.DataFrame({
        "time_utc": pd.date_range("2019-01-12T09:00:00Z", periods=40, freq="1s"),
        "ref_e_m": 3.0, "ref_n_m": 4.0, "ref_u_m": 0.0, "dx_north_m": 0.0,
        "dy_east_m": [0.03 * i for i in range(40)], "dz_down_m": 0.0, "velocity_m_s": 0.03,
        "pitch_rad": 0.0, "roll_rad": 0.0, "yaw_rad": 1.5,
    })
    _, data = write_lpr_product(folder, poses, sequence_id=50)
    ids.add(data.name)
    return ids


_SEQ = re.compile(rb"_(\d{4})_([A-Z])\.(\w\w)(L?)")


def _renamed(name: str, k: int) -> str:
    """The GRAS name with sequence number 9000 + k (a product of its own)."""
    return re.sub(r"_(\d{4})_([A-Z])\.", f"_{9000 + k:04d}_\\2.", name, count=1)


def _label_name(data: bytes) -> str:
    m = re.search(rb"<logical_identifier>\s*([^<\s]+)\s*</logical_identifier>", data)
    fallback = "CE4_GRAS_PCAML-C-000_SCI_N_20190104040000_20190104040000_0001_B.2B"
    name = m.group(1).decode("ascii", "replace") if m else fallback
    return name + "L"


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


# --- label bytes ---------------------------------------------------------------------------------

def label_bit_flips(rng: random.Random, folder: Path, seeds: Seeds, k: int) -> list[Path]:
    data = bytearray(rng.choice(seeds.labels))
    for _ in range(rng.randint(1, 40)):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return [_write(folder, _renamed(_label_name(bytes(rng.choice(seeds.labels))), k), bytes(data))]


def label_truncated(rng, folder, seeds, k):
    data = rng.choice(seeds.labels)
    return [_write(folder, _renamed(_label_name(data), k), data[: rng.randrange(len(data))])]


def label_elements_duplicated_or_deleted(rng, folder, seeds, k):
    text = rng.choice(seeds.labels).decode("utf-8", "replace")
    elements = list(re.finditer(r"<(\w+)[^>]*>[^<]*</\1>", text))
    for _ in range(rng.randint(1, 6)):
        if not elements:
            break
        m = rng.choice(elements)
        text = text.replace(m.group(0), m.group(0) * rng.choice([0, 2, 3]), 1)
    return [_write(folder, _renamed(_label_name(text.encode()), k), text.encode())]


def label_absurd_numbers(rng, folder, seeds, k):
    text = rng.choice(seeds.labels).decode("utf-8", "replace")
    absurd = ["1e308", "-1e308", "nan", "inf", "-0", "99999999999", "-5", "1e-320", "0x10", "", "/"]
    text = re.sub(r">(-?\d+\.?\d*(?:[eE][-+]?\d+)?)<",
                  lambda m: f">{rng.choice(absurd)}<" if rng.random() < 0.3 else m.group(0), text)
    return [_write(folder, _renamed(_label_name(text.encode()), k), text.encode())]


def label_encodings(rng, folder, seeds, k):
    data = rng.choice(seeds.labels)
    name = _renamed(_label_name(data), k)
    text = data.decode("utf-8", "replace")
    choice = rng.randrange(4)
    if choice == 0:
        out = text.encode("utf-16")  # UTF-16 with a BOM, declaration still says UTF-8
    elif choice == 1:
        out = re.sub(r'encoding="[^"]*"', 'encoding="no-such-codec"', text).encode()
    elif choice == 2:
        out = re.sub(r'encoding="[^"]*"', 'encoding="UTF-16"', text).encode()
    else:
        out = ("\ufeff" + text).encode("utf-8") + bytes([0xff, 0xfe, 0x80])
    return [_write(folder, name, out)]


def label_deep_or_huge(rng, folder, seeds, k):
    data = rng.choice(seeds.labels)
    name = _renamed(_label_name(data), k)
    text = data.decode("utf-8", "replace")
    if rng.random() < 0.5:
        depth = rng.choice([300, 3000, 30000])
        text = text.replace("</Mission_Area>", "<a>" * depth + "x" + "</a>" * depth + "</Mission_Area>", 1)
    else:
        size = rng.choice([100_000, 2_000_000, 5_000_000])
        text = text.replace("</description>", "y" * size + "</description>", 1)
    return [_write(folder, name, text.encode())]


def label_times(rng, folder, seeds, k):
    """Label times outside pandas' nanosecond range or the mission's, or not times at all."""
    data = rng.choice(seeds.labels).decode("utf-8", "replace")
    values = ["0001-01-01T00:00:00Z", "1677-09-21T00:12:43Z", "2263-01-01T00:00:00Z", "-1",
              "9999-12-31T23:59:59Z", "2019-02-30T00:00:00Z", "2019-366T00:00:00Z", "1970-01-01T00:00:00Z",
              "", "2019-01-04T04:00:00+99:00"]
    text = _replaced_values(rng, data, values, ["start_date_time", "stop_date_time"])
    return [_write(folder, _renamed(_label_name(data.encode()), k), text.encode())]


def label_entities(rng, folder, seeds, k):
    data = rng.choice(seeds.labels).decode("utf-8", "replace")
    dtd = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
           if rng.random() < 0.5 else '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    text = re.sub(r"(<\?xml[^>]*\?>)", r"\1" + dtd, data, count=1)
    return [_write(folder, _renamed(_label_name(data.encode()), k), text.encode())]


# --- LPR binaries and their Table_Binary numbers --------------------------------------------------

def _lpr_pair(rng, seeds, k):
    label, data = rng.choice(seeds.lpr)
    name = _renamed(_label_name(label)[:-1], k)
    old = _label_name(label)[:-1]
    return label.decode("utf-8").replace(old, name), data, name


def lpr_header_flips(rng, folder, seeds, k):
    label, data, name = _lpr_pair(rng, seeds, k)
    raw = bytearray(data)
    rl = int(re.search(r"<record_length[^>]*>(\d+)<", label).group(1))
    for _ in range(rng.randint(1, 30)):
        rec = rng.randrange(max(1, len(raw) // rl))
        i = rec * rl + rng.randrange(62)
        if i < len(raw):
            raw[i] = rng.randrange(256)
    return [_write(folder, name + "L", label.encode()), _write(folder, name, bytes(raw))]


def lpr_truncated_or_empty(rng, folder, seeds, k):
    label, data, name = _lpr_pair(rng, seeds, k)
    cut = 0 if rng.random() < 0.3 else rng.randrange(len(data))
    return [_write(folder, name + "L", label.encode()), _write(folder, name, data[:cut])]


def _replaced_values(rng, label: str, values: list[str], fields: list[str]) -> str:
    """``label`` with the text of 1-4 of its ``fields`` elements replaced by one of ``values``."""
    for _ in range(rng.randint(1, 4)):
        field = rng.choice(fields)
        spots = list(re.finditer(rf"<{field}[^>]*>([^<]*)</{field}>", label))
        if spots:
            m = rng.choice(spots)
            label = label[: m.start(1)] + rng.choice(values) + label[m.end(1):]
    return label


def _table_numbers(rng, label: str, values: list[str], fields: list[str], float_type: str) -> str:
    """``label`` with 1-4 Table_Binary numbers replaced by absurd ones, maybe a float type unknown."""
    label = _replaced_values(rng, label, values, fields)
    if rng.random() < 0.3:
        label = label.replace(float_type, rng.choice([float_type[:-6] + "Quad", "ASCII_Real", ""]), 1)
    return label


def lpr_table_numbers(rng, folder, seeds, k):
    label, data, name = _lpr_pair(rng, seeds, k)
    values = ["0", "-1", "1", "7", "61", "62", "8307", "32883", "99999999999", "1e999", "3.5",
              "2147483648", "18446744073709551617", "", "NaN"]
    fields = ["record_length", "records", "offset", "field_location", "field_length"]
    label = _table_numbers(rng, label, values, fields, "IEEE754MSBSingle")
    return [_write(folder, name + "L", label.encode()), _write(folder, name, data)]


# --- RoPeR (Zhurong) products: read in batches of their own --------------------------------------

def _roper_pair(rng, seeds, k):
    label, data = rng.choice(seeds.roper)
    old = re.search(rb"<file_name>\s*([^<\s]+)\s*</file_name>", label).group(1).decode()
    name = re.sub(r"_(\d{5})_([A-Z])\.", f"_{90000 + k:05d}_\\2.", old, count=1)
    return label.decode("utf-8").replace(old, name), data, name


def roper_pose_flips(rng, folder, seeds, k):
    label, data, name = _roper_pair(rng, seeds, k)
    raw = bytearray(data)
    rl = int(re.search(r"<record_length[^>]*>(\d+)<", label).group(1))
    for _ in range(rng.randint(1, 30)):  # the header and the pose block after the echoes
        rec = rng.randrange(max(1, len(raw) // rl))
        i = rec * rl + rng.choice([rng.randrange(18), rl - 51 + rng.randrange(51)])
        if i < len(raw):
            raw[i] = rng.randrange(256)
    return [_write(folder, name + "L", label.encode()), _write(folder, name, bytes(raw))]


def roper_truncated_or_empty(rng, folder, seeds, k):
    label, data, name = _roper_pair(rng, seeds, k)
    cut = 0 if rng.random() < 0.3 else rng.randrange(len(data))
    return [_write(folder, name + "L", label.encode()), _write(folder, name, data[:cut])]


def roper_table_numbers(rng, folder, seeds, k):
    label, data, name = _roper_pair(rng, seeds, k)
    values = ["0", "-1", "1", "5", "18", "12069", "16453", "99999999999", "1e999", "3.5", "", "NaN"]
    fields = ["record_length", "records", "offset", "field_location", "field_length", "repetitions"]
    label = _table_numbers(rng, label, values, fields, "IEEE754LSBSingle")
    return [_write(folder, name + "L", label.encode()), _write(folder, name, data)]


# --- files that are not regular files ---------------------------------------------------------

def special_files(rng, folder, seeds, k):
    """A FIFO, a symlink loop, a device or broken link, a socket or a folder named like a product."""
    import os
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _renamed(_label_name(rng.choice(seeds.labels)), k)
    how = rng.choice(["fifo", "loop", "urandom", "broken", "folder", "socket", "zip fifo"])
    if how == "socket" and len(str(path)) >= 100:  # AF_UNIX paths are short
        how = "fifo"
    if how == "zip fifo":
        path = folder / _bundle_name(k)
        os.mkfifo(path)
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "loop":
        os.symlink(path, path)
    elif how == "urandom":
        os.symlink("/dev/urandom", path)
    elif how == "broken":
        os.symlink(folder / f"gone{k}", path)
    elif how == "folder":
        path.mkdir()
    else:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
    return [path]


# --- zip bundles ------------------------------------------------------------------------------------

def _bundle_name(k: int) -> str:
    return f"CE4_PCAM_2B_2019010{k % 9 + 1}000000_2019010{k % 9 + 1}235959_B.zip"


def _members(rng, seeds, k, n=3):
    out = []
    for i in range(n):
        data = rng.choice(seeds.labels)
        out.append((_renamed(_label_name(data), k * 10 + i), data))
    return out


def zip_corrupt_directory(rng, folder, seeds, k):
    path = folder / _bundle_name(k)
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _members(rng, seeds, k):
            zf.writestr(f"DATA/{name}", data)
    raw = bytearray(path.read_bytes())
    how = rng.randrange(3)
    if how == 0:
        raw = raw[: rng.randrange(len(raw))]  # truncated download
    elif how == 1:
        eocd = raw.rfind(b"PK\x05\x06")
        for _ in range(rng.randint(1, 8)):
            raw[eocd + rng.randrange(22)] = rng.randrange(256)
    else:
        cd = raw.find(b"PK\x01\x02")
        for _ in range(rng.randint(1, 20)):
            raw[cd + rng.randrange(len(raw) - cd)] = rng.randrange(256)
    path.write_bytes(bytes(raw))
    return [path]


def zip_hostile_members(rng, folder, seeds, k):
    """Members named ../, nested zips, an encrypted flag, a bomb, thousands of tiny members."""
    path = folder / _bundle_name(k)
    folder.mkdir(parents=True, exist_ok=True)
    how = rng.randrange(5)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        members = _members(rng, seeds, k)
        if how == 0:
            for name, data in members:
                zf.writestr(f"../../{name}", data)
                zf.writestr(f"/abs/{name}", data)
        elif how == 1:
            inner = folder / f"inner{k}.zip"
            with zipfile.ZipFile(inner, "w") as z2:
                for name, data in members:
                    z2.writestr(name, data)
            zf.write(inner, f"DATA/{_bundle_name(k + 1)}")
            inner.unlink()
        elif how == 2:
            for name, data in members:
                zf.writestr(f"DATA/{name}", data)
        elif how == 3:  # a label that inflates to 64 MiB (over the 4 MiB label cap)
            name = members[0][0]
            zf.writestr(f"DATA/{name}", b"<a>" + b" " * (64 << 20) + b"</a>")
        else:
            for i in range(rng.choice([500, 3000])):
                zf.writestr(f"DATA/tiny{i}.txt", b"x")
            for name, data in members:
                zf.writestr(f"DATA/{name}", data)
    if how == 2:  # set the "encrypted" flag bit on every member, local and central headers
        raw = bytearray(path.read_bytes())
        for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            i = raw.find(sig)
            while i >= 0:
                flags = struct.unpack_from("<H", raw, i + off)[0] | 0x1
                struct.pack_into("<H", raw, i + off, flags)
                i = raw.find(sig, i + 4)
        path.write_bytes(bytes(raw))
    return [path]


def zip_not_a_zip(rng, folder, seeds, k):
    folder.mkdir(parents=True, exist_ok=True)
    noise = bytes(rng.randrange(256) for _ in range(300))
    data = rng.choice([b"", b"PK\x03\x04", b"<html>login</html>", noise])
    return [_write(folder, _bundle_name(k), data)]


# --- image products (label array description, data file): the images stage ----------------------

def write_good_images(folder: Path, n: int = 3) -> set[str]:
    """``n`` good PCAM products with small real-layout images (and a rover position); their ids."""
    import numpy as np

    from traverse.synthetic.products import write_image_product

    ids = set()
    for i in range(n):
        yy, xx = np.mgrid[0:24, 0:32]
        image = np.stack([xx * 8, yy * 10, (xx + yy) * 4], -1).astype(np.uint8)
        label, _ = write_image_product(folder, "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z")
                                       + pd.Timedelta(minutes=i), image, camera=(50.0, 7.4, 32, 24, 3),
                                       frame=i, sequence_id=1 + i, rover_xyz=(1.0 + i, 2.0, 0.0))
        ids.add(label.name[:-1])
    return ids


def _image_pair(rng, folder, k):
    tmp = folder / f".seed{k}"
    ids = write_good_images(tmp, 1)
    name = next(iter(ids))
    label, data = (tmp / f"{name}L").read_text(), (tmp / name).read_bytes()
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    new = _renamed(name, k)
    return label.replace(name, new), data, new


def image_array_numbers(rng, folder, seeds, k):
    label, data, name = _image_pair(rng, folder, k)
    values = ["0", "-1", "1", "3", "24", "32", "99999999999", "1e999", "2.5", "", "NaN", "Band",
              "UnsignedByte", "ComplexLSB16", "First Index Fastest", "Line", "4294967296"]
    fields = ["offset", "elements", "sequence_number", "axes", "data_type", "axis_name",
              "axis_index_order"]
    label = _replaced_values(rng, label, values, fields)
    return [_write(folder, name + "L", label.encode()), _write(folder, name, data)]


def image_data_cut_or_padded(rng, folder, seeds, k):
    label, data, name = _image_pair(rng, folder, k)
    roll = rng.random()
    if roll < 0.4:
        data = data[: rng.randrange(len(data))]
    elif roll < 0.7:
        data = data + bytes(rng.randrange(1, 5000))
    else:
        data = bytes(rng.randrange(256) for _ in range(len(data)))  # any bytes are pixels
    return [_write(folder, name + "L", label.encode()), _write(folder, name, data)]


#: Mutation classes of image products, checked through the images stage (:func:`check_image_batch`).
IMAGE_CLASSES: dict[str, Callable] = {
    "image array description numbers": image_array_numbers,
    "image data cut, padded or random": image_data_cut_or_padded,
}


def check_image_batch(folder: Path, good_ids: set[str], mutants: list[Path], *,
                      max_seconds: float = 30.0) -> list[str]:
    """Read a batch and make its thumbnails; the broken promises (empty when kept).

    Promises: nothing escapes :func:`read_frames` or :func:`traverse.images.write_images`;
    every good product gets its thumbnail; every mutant product keeps its frame
    and either gets a thumbnail or is in the report with a reason.
    """
    import time

    from traverse.images import ImageRun, write_images
    from traverse.read.archive import open_archive
    from traverse.read.frames import frames_from_archive

    t0 = time.perf_counter()
    try:
        with open_archive([folder]) as archive:
            frames = frames_from_archive(archive)
            products, report = archive.products, archive.report
        images = write_images(products, frames, folder.parent / "out_files", report=report,
                              run=ImageRun(workers=1))
    except Exception as exc:  # the promise under test
        return [f"{type(exc).__name__} escaped the images stage: {exc}"[:300]]
    broken = []
    if time.perf_counter() - t0 > max_seconds:
        broken.append("took too long")
    made = set(images["product_id"])
    if good_ids - made:
        broken.append(f"good images lost: {sorted(good_ids - made)}")
    reported = {p.source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix("L") for p in report.problems}
    for path in mutants:
        pid = path.name.removesuffix("L")
        if pid not in set(frames["product_id"]) and pid not in reported:
            broken.append(f"{path.name}: frame lost and not reported")
        elif pid not in made and pid not in reported:
            broken.append(f"{path.name}: no image and not reported")
    return broken


Mutator = Callable[[random.Random, Path, Seeds, int], list[Path]]

#: Every mutation class by name.
CLASSES: dict[str, Mutator] = {
    "label bit flips": label_bit_flips,
    "label truncated": label_truncated,
    "label elements duplicated/deleted": label_elements_duplicated_or_deleted,
    "label absurd numbers": label_absurd_numbers,
    "label encodings (UTF-16, wrong declaration)": label_encodings,
    "label deep nesting / oversized text": label_deep_or_huge,
    "label DTD / entities": label_entities,
    "label times out of range": label_times,
    "LPR header byte flips": lpr_header_flips,
    "LPR truncated / empty": lpr_truncated_or_empty,
    "LPR Table_Binary numbers": lpr_table_numbers,
    "zip corrupt central directory": zip_corrupt_directory,
    "zip hostile members": zip_hostile_members,
    "zip not a zip": zip_not_a_zip,
    "FIFO, device, socket, symlink loop, folder": special_files,
}

#: Mutation classes of Zhurong's RoPeR products, mixed with :func:`write_good_zhurong` batches.
ROPER_CLASSES: dict[str, Mutator] = {
    "RoPeR header/pose byte flips": roper_pose_flips,
    "RoPeR truncated / empty": roper_truncated_or_empty,
    "RoPeR Table_Binary numbers": roper_table_numbers,
}


def check_batch(folder: Path, good_ids: set[str], mutants: list[Path], *, max_seconds: float = 30.0,
                max_peak_mb: float = 300.0, also: Callable | None = None) -> list[str]:
    """Read a batch of good and mutated products; the list of broken promises (empty when kept).

    Promises: no exception escapes :func:`traverse.read_frames`; the read ends
    within ``max_seconds`` and allocates at most ``max_peak_mb`` at its peak;
    every good product is in the frames; every mutant is either read (the
    mutation was harmless) or in the report with a reason; and those of
    ``also(frames, report, mutants) -> list[str]`` (a class's own promises).
    """
    import time
    import tracemalloc

    from traverse.read.frames import read_frames

    broken = []
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        frames, report = read_frames([folder])
    except Exception as exc:  # the promise under test: nothing escapes
        tracemalloc.stop()
        return [f"{type(exc).__name__} escaped read_frames: {exc}"[:300]]
    seconds = time.perf_counter() - t0
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    if seconds > max_seconds:
        broken.append(f"took {seconds:.1f} s")
    if peak_mb > max_peak_mb:
        broken.append(f"peak memory {peak_mb:.0f} MB")
    missing = good_ids - set(frames["product_id"])
    if missing:
        broken.append(f"good products lost: {sorted(missing)}")
    sources = [p.source for p in report.problems] + frames["source"].astype(str).tolist()

    def product(text: str) -> str:  # label and data file name the same product
        name = text.split("!")[-1].replace("\\", "/").rsplit("/", 1)[-1]
        return name[:-1] if name.endswith("L") else name

    seen = {product(s) for s in sources}
    for path in mutants:
        if path.suffix.lower() == ".zip":
            ok = any(s.startswith(f"{path}!") or s == str(path) for s in sources)
        else:
            ok = product(str(path)) in seen
        if not ok:
            broken.append(f"{path.name}: neither read nor reported")
    for p in report.problems:
        if not p.reason:
            broken.append(f"{p.source}: reported without a reason")
    return broken + (also(frames, report, mutants) if also is not None else [])


def _declared_table(label: str) -> tuple[int, int, int]:
    """(record_length, offset, records) as a (not mutated) label declares them."""
    def number(name: str) -> int:
        return int(re.search(rf"<{name}[^>]*>\s*(\d+)\s*<", label).group(1))

    return number("record_length"), number("offset"), number("records")


def truncation_promises(frames, report, mutants: list[Path]) -> list[str]:
    """A binary cut short gives its complete records, and its truncation is reported as a warning
    naming both counts; one with no complete record is an error and gives no record."""
    broken = []
    for data in (m for m in mutants if not m.name.endswith("L")):
        rl, offset, declared = _declared_table(data.with_name(data.name + "L").read_text("utf-8"))
        complete = max(data.stat().st_size - offset, 0) // rl
        got = int((frames["product_id"] == data.name).sum())
        mine = [p for p in report.problems if p.source == str(data)]
        if complete == 0:
            if got or not any(p.severity == "error" for p in mine):
                broken.append(f"{data.name}: no complete record, yet {got} read or no error reported")
            continue
        said = f"label declares {declared} records, file holds {complete} complete records"
        if got != complete:
            broken.append(f"{data.name}: {got} records read of {complete} complete")
        if not any(p.severity == "warning" and said in p.reason for p in mine):
            broken.append(f"{data.name}: truncation not reported ({[p.reason for p in mine]})")
    return broken


def _checker(name: str) -> Callable:
    """:func:`check_batch`, with :func:`truncation_promises` for the truncated-binary classes."""
    if "truncated / empty" in name:
        return functools.partial(check_batch, also=truncation_promises)
    return check_batch


#: Every mutation class with the good products it is mixed with (one mission per batch) and the
#: promise check that reads the batch: used by ``tests/test_fuzz.py`` and ``bench/fuzz_long.py``.
SUITES: dict[str, tuple[Callable, Callable, Callable]] = {
    **{name: (mutate, write_good, _checker(name)) for name, mutate in CLASSES.items()},
    **{name: (mutate, write_good_zhurong, _checker(name)) for name, mutate in ROPER_CLASSES.items()},
    **{name: (mutate, write_good_images, check_image_batch) for name, mutate in IMAGE_CLASSES.items()},
}

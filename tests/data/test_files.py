"""The file readers: exact examples from small files, and one test per error message."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import zoo
from tests.data.test_generators import SPECS, error, load
from zoo.data.base import check_fits

# every reader


@pytest.mark.parametrize("name", ["text", "csv_series", "npz"])
def test_missing_file(name: str, tmp_path: Path) -> None:
    assert error(name, tmp_path, path="missing.dat") == (
        f"data.args.path: no such file: {tmp_path / 'missing.dat'}"
    )


@pytest.mark.parametrize("name", ["text", "csv_series", "npz"])
def test_directory_instead_of_a_file(name: str, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    assert error(name, tmp_path, path="folder") == (
        f"data.args.path: {tmp_path / 'folder'} is a directory, not a file"
    )


@pytest.mark.parametrize("name", ["text", "csv_series"])
def test_not_utf8(name: str, tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("a,b\ncafé,1\n".encode("latin-1"))
    assert error(name, tmp_path, path="latin1.txt") == (
        f"data.args.path: {tmp_path / 'latin1.txt'} is not UTF-8 text (byte 7 is invalid)"
    )


# text


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


def test_text_hello(tmp_path: Path) -> None:
    data = load("text", folder=tmp_path, path=write(tmp_path, "hello.txt", "hello"), length=4)
    assert data.vocabulary == ["", "e", "h", "l", "o"]
    np.testing.assert_array_equal(data.x, [[2, 1, 3, 3]])  # "hell"
    np.testing.assert_array_equal(data.y, [[1, 3, 3, 4]])  # "ello"
    assert data.x.dtype == data.y.dtype == np.int32
    check_fits(data, zoo.load_spec(SPECS / "hello.yaml"), "text")


def decode(data: object, rows: np.ndarray) -> list[str]:
    return ["".join(data.vocabulary[i] for i in row) for row in rows]


def test_text_windows_do_not_overlap_unless_a_stride_is_given(tmp_path: Path) -> None:
    path = write(tmp_path, "sub/abc.txt", "abcdefghij")  # relative to the spec's folder
    data = load("text", folder=tmp_path, path=path, length=3)
    assert decode(data, data.x) == ["abc", "def", "ghi"]
    assert decode(data, data.y) == ["bcd", "efg", "hij"]
    data = load("text", folder=tmp_path, path=path, length=3, stride=2)
    assert decode(data, data.x) == ["abc", "cde", "efg", "ghi"]
    assert decode(data, data.y) == ["bcd", "def", "fgh", "hij"]


def test_text_lowercase_and_baseline(tmp_path: Path) -> None:
    path = write(tmp_path, "c.txt", "AbA")
    data = load("text", folder=tmp_path, path=path, length=1, stride=1)
    assert data.vocabulary == ["", "A", "b"]
    lowered = load("text", folder=tmp_path, path=path, length=1, stride=1, lowercase=True)
    assert lowered.vocabulary == ["", "a", "b"]
    assert decode(lowered, lowered.x) == ["a", "b"]
    # frequencies of the training targets, add-one smoothed: b and A once each, so
    # (1 + 1) / 4 = 1/2 for both; scored on the targets b and A
    entropy = -math.log(1 / 2)
    assert data.baseline(data) == {
        "cross-entropy of predicting character frequencies": pytest.approx(entropy)
    }
    # fitted on the first window alone (target b), the second's A costs ln 3
    first, second = data.take(np.array([0])), data.take(np.array([1]))
    assert second.baseline(first) == {
        "cross-entropy of predicting character frequencies": pytest.approx(math.log(3))
    }


def test_text_corpus_shorter_than_a_window(tmp_path: Path) -> None:
    path = write(tmp_path, "hello.txt", "hello")
    assert error("text", tmp_path, path=path, length=5) == (
        f"data.args.length: {tmp_path / path} has 5 characters; a window of length 5 needs at "
        "least 6"
    )


# csv_series

CSV = "t,a,b\n0,1,10\n1,2,20\n\n2,3,30\n3,4,40\n4,5,50\n"  # a blank line is skipped


def test_csv_windows_and_horizon(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", CSV)
    data = load(
        "csv_series", folder=tmp_path, path=path, columns=["a"], target=["b"], window=2, horizon=2
    )
    np.testing.assert_array_equal(data.x, [[[1], [2]], [[2], [3]]])
    np.testing.assert_array_equal(data.y, [[30, 40], [40, 50]])
    assert data.x.dtype == data.y.dtype == np.float32
    np.testing.assert_array_equal(data.spans, [[2, 4], [3, 5]])  # the target rows
    # persistence repeats b's last value in the window: errors 10 and 20 in each example
    assert data.baseline(data) == {"mse of persistence": (10**2 + 20**2) / 2}


def test_csv_several_targets_are_flattened_step_major(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", CSV)
    data = load("csv_series", folder=tmp_path, path=path, columns=["a", "b"], window=2, horizon=2)
    np.testing.assert_array_equal(data.x[0], [[1, 10], [2, 20]])
    np.testing.assert_array_equal(data.y, [[3, 30, 4, 40], [4, 40, 5, 50]])


def test_csv_defaults_to_every_column(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", CSV)
    data = load("csv_series", folder=tmp_path, path=path, window=4)
    np.testing.assert_array_equal(data.x, [[[0, 1, 10], [1, 2, 20], [2, 3, 30], [3, 4, 40]]])
    np.testing.assert_array_equal(data.y, [[4, 5, 50]])


def test_csv_without_header_by_index_with_stride(tmp_path: Path) -> None:
    rows = "".join(f"{t},{t * 10}\n" for t in range(7))
    path = write(tmp_path, "s.csv", rows)
    data = load(
        "csv_series",
        folder=tmp_path,
        path=path,
        header=False,
        columns=[1],
        target=[0],
        window=2,
        stride=2,
    )
    np.testing.assert_array_equal(data.x[..., 0], [[0, 10], [20, 30], [40, 50]])
    np.testing.assert_array_equal(data.y, [[2], [4], [6]])


def test_csv_byte_order_mark_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "\ufeff" + CSV)
    data = load("csv_series", folder=tmp_path, path=path, columns=["t"], window=4)
    np.testing.assert_array_equal(data.y, [[4]])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"columns": ["c"]}, "data.args.columns: {f} has no column 'c'; available: t, a, b"),
        (
            {"columns": ["a"], "target": ["B"]},
            "data.args.target: {f} has no column 'B'; available: t, a, b",
        ),
        (
            {"columns": [3]},
            "data.args.columns: column index 3 is out of range; {f} has 3 columns",
        ),
        (
            {"columns": ["a"], "header": False},
            "data.args.columns: column 'a' needs a header row (header: true); without one, "
            "give 0-based column indexes",
        ),
        (
            {"window": 4, "horizon": 2},
            "data.args.window: {f} has 5 rows; a window of 4 and a horizon of 2 need at least 6",
        ),
    ],
)
def test_csv_argument_errors(tmp_path: Path, args: dict, expected: str) -> None:
    path = write(tmp_path, "s.csv", CSV)
    message = expected.format(f=tmp_path / path)
    assert error("csv_series", tmp_path, path=path, **{"window": 2, **args}) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("t,a\n0,1\n1,x\n2,3\n", "{f}:3: column 'a': 'x' is not a finite number"),
        ("t,a\n0,1\n1,2\n2,nan\n", "{f}:4: column 'a': 'nan' is not a finite number"),
        ("t,a\n0,1\n1,\n2,3\n", "{f}:3: column 'a': '' is not a finite number"),
        ("t,a\n0,1\n1\n2,3\n", "{f}:3: expected 2 fields, found 1"),
        (
            "month,a,b\n1949-01,1,2\n1949-02,3,4\n",
            "{f}:2: column 'month': '1949-01' is not a finite number; every column is read "
            "unless data.args.columns names them: e.g. columns: ['a', 'b'], or time: 'month' "
            "where it holds the rows' dates",
        ),
        ("", "{f} is empty; header: true expects a header row"),
    ],
)
def test_csv_content_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "s.csv", text)
    message = expected.format(f=tmp_path / path)
    assert error("csv_series", tmp_path, path=path, window=1, horizon=1) == (
        f"data.args.path: {message}"
    )


def test_csv_numbers_are_only_required_in_used_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "date,a\nmon,1\ntue,2\nwed,3\n")
    data = load("csv_series", folder=tmp_path, path=path, columns=["a"], window=2)
    np.testing.assert_array_equal(data.y, [[3]])
    assert error("csv_series", tmp_path, path=path, header=False, window=2) == (
        f"data.args.path: {tmp_path / path}:1: column 0: 'date' is not a finite number"
    )


def test_a_time_column_labels_the_rows_and_is_not_read(tmp_path: Path) -> None:
    from zoo.data.files import CsvSeriesArgs, read_series

    text = "month,a\n" + "".join(f"1949-{m:02d}-01,{m}\n" for m in range(1, 7))
    path = write(tmp_path, "s.csv", text)
    data = load("csv_series", folder=tmp_path, path=path, time="month", window=2)
    assert data.x.shape[1:] == (2, 1)  # a itself, not the dates beside it
    args = CsvSeriesArgs(path=path, time="month", window=2)
    (table,) = read_series(tmp_path / path, args, needed=3).values()
    # dates on the 1st are months: the step is a month, not 31 days
    assert table.times.after(3) == ["1949-07", "1949-08", "1949-09"]
    daily = write(tmp_path, "d.csv", "day,a\n2024-02-28,1\n2024-02-29,2\n2024-03-01,3\n")
    args = CsvSeriesArgs(path=daily, time="day", window=2)
    (table,) = read_series(tmp_path / daily, args, needed=3).values()
    assert table.times.after(2) == ["2024-03-02", "2024-03-03"]


def test_a_time_column_that_cannot_be_carried_on_is_one_line(tmp_path: Path) -> None:
    from zoo.data.files import CsvSeriesArgs, read_series
    from zoo.errors import UserError

    path = write(tmp_path, "s.csv", "month,a\n1949-01,1\n02/1949,2\n1949-03,3\n")
    assert error("csv_series", tmp_path, path=path, time="month", window=1) == (
        f"data.args.time: {tmp_path / path}:3: column 'month': '02/1949' is not an ISO 8601 "
        "date or time (1949-01, 2024-03-15, 2024-03-15T09:00)"
    )
    assert "time: 'a' labels the rows" in error(
        "csv_series", tmp_path, path=path, time="a", columns=["a"], window=1
    )
    gaps = write(tmp_path, "g.csv", "day,a\n2024-03-01,1\n2024-03-02,2\n2024-03-04,3\n")
    args = CsvSeriesArgs(path=gaps, time="day", window=1)
    (table,) = read_series(tmp_path / gaps, args, needed=2).values()  # trains as it is
    with pytest.raises(UserError, match=r"go forward by one step .* its steps: 1 days, 2 days"):
        table.times.after(1)


# npz


def test_npz_round_trip(tmp_path: Path) -> None:
    x = np.arange(12, dtype="int64").reshape(4, 3)
    y = np.linspace(0, 1, 4)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    data = load("npz", folder=tmp_path, path="d.npz")
    assert data.x.dtype == np.int32 and data.y.dtype == np.float32
    np.testing.assert_array_equal(data.x, x)
    np.testing.assert_allclose(data.y, y, rtol=1e-7)


def test_npz_named_and_several_inputs(tmp_path: Path) -> None:
    a, b, labels = (
        np.ones((5, 2)),
        np.zeros((5, 3), dtype="int8"),
        np.array([1, 0, 1, 1, 0], dtype=bool),
    )
    np.savez(tmp_path / "d.npz", a=a, b=b, labels=labels)
    data = load("npz", folder=tmp_path, path="d.npz", x=["a", "b"], y="labels")
    assert isinstance(data.x, list) and [x.dtype for x in data.x] == [np.float32, np.int32]
    np.testing.assert_array_equal(data.x[1], b)
    np.testing.assert_array_equal(data.y, [1, 0, 1, 1, 0])
    assert data.y.dtype == np.float32


def test_npz_class_names(tmp_path: Path) -> None:
    x, y = np.zeros((3, 2)), np.array([0, 2, 1])
    np.savez(tmp_path / "d.npz", x=x, y=y, labels=np.array(["cat", "dog", "eel"]))
    assert load("npz", folder=tmp_path, path="d.npz").classes == ["cat", "dog", "eel"]
    named = load("npz", folder=tmp_path, path="d.npz", labels=["a", "b", "c"])
    assert named.classes == ["a", "b", "c"]  # the spec's names win over the file's
    np.savez(tmp_path / "plain.npz", x=x, y=y)
    assert load("npz", folder=tmp_path, path="plain.npz").classes is None
    assert error("npz", tmp_path, path="plain.npz", labels=["a", "b"]) == (
        f"data.args.labels: y array 'y' in {tmp_path / 'plain.npz'} has class ids up to 2, but "
        "2 class names"
    )
    np.savez(tmp_path / "real.npz", x=x, y=np.ones(3), labels=np.array([1, 2]))
    assert "should list the class names as strings" in error("npz", tmp_path, path="real.npz")
    assert "holds float32 values, not class ids" in error(
        "npz", tmp_path, path="real.npz", labels=["a"]
    )


@pytest.mark.parametrize("kind", ["text", "npy", "empty"])
def test_npz_not_an_archive(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "d.npz"
    if kind == "npy":
        with path.open("wb") as file:
            np.save(file, np.zeros(3))
    else:
        path.write_text("x,y\n1,2\n" if kind == "text" else "")
    assert error("npz", tmp_path, path="d.npz") == (
        f"data.args.path: {path} is not an .npz archive (as numpy.savez writes)"
    )


@pytest.mark.parametrize(
    ("arrays", "args", "expected"),
    [
        ({"x": np.zeros(3)}, {}, "data.args.y: {f} has no array 'y'; available: x"),
        (
            {"inputs": np.zeros(3), "y": np.zeros(3)},
            {"x": ["inputs", "extra"]},
            "data.args.x: {f} has no array 'extra'; available: inputs, y",
        ),
        (
            {"x": np.zeros(3), "y": np.zeros(4)},
            {},
            "data.args: in {f}, x array 'x' has 3 examples but y array 'y' has 4; their first "
            "dimensions must match",
        ),
        (
            {"x": np.array(["a", "b"]), "y": np.zeros(2)},
            {},
            "data.args.x: array 'x' in {f} holds <U1 values; only numbers can be fed to a model",
        ),
        (
            {"x": np.zeros(2), "y": np.array([{}, {}], dtype=object)},
            {},
            "data.args.y: array 'y' in {f} holds object values; only numbers can be fed to a model",
        ),
        (
            {"x": np.float64(1.0), "y": np.zeros(2)},
            {},
            "data.args.x: array 'x' in {f} is a scalar; examples go along its first axis",
        ),
    ],
)
def test_npz_array_errors(tmp_path: Path, arrays: dict, args: dict, expected: str) -> None:
    np.savez(tmp_path / "d.npz", **arrays)
    assert error("npz", tmp_path, path="d.npz", **args) == expected.format(f=tmp_path / "d.npz")

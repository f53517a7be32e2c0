#!/usr/bin/python3
"""Unit tests of plots/: reader errors, sweep structure, histogram bins, labels, the summary
check, and in-process rendering of every plot for every kind of fake sweep.
Run: python3 -m unittest discover -s plots/tests -p 'test_*.py'"""

import contextlib
import io
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import accuracy_distribution  # noqa: E402
import accuracy_vs_time  # noqa: E402
import check_outputs  # noqa: E402
import check_summary  # noqa: E402
import common  # noqa: E402
import layer_error_vs_param  # noqa: E402
import report  # noqa: E402
import yield_vs_param  # noqa: E402
from make_fake_results import SWEEPS, clopper_pearson, write_fake  # noqa: E402
from xbarmc_results import ResultsFormatError, read_results  # noqa: E402

SCRIPTS = (accuracy_distribution, yield_vs_param, accuracy_vs_time, layer_error_vs_param, report)


class Fixture(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def fake(self, name="r.h5", **kw):
        path = self.tmp / name
        write_fake(path, instances=kw.pop("instances", 40), **kw)
        return path


class ReaderTest(Fixture):
    def test_reads_arrays_and_config(self):
        res = read_results(self.fake(sweep="grid", instances=30))
        self.assertEqual(len(res.points), 8)
        self.assertEqual(res.points[0].accuracy.shape, (30, 2, 4))
        self.assertEqual(res.points[0].layer_error.shape, (30, 2, 4, 3))
        self.assertEqual(res.config["sweep"]["mode"], "grid")
        self.assertEqual(res.format_version, (1, 0))
        self.assertAlmostEqual(res.software_accuracy, 0.884)
        np.testing.assert_array_equal(res.times_s, [1.0, 60.0, 3600.0, 86400.0])
        self.assertEqual([p.index for p in res.points], list(range(8)))

    def test_wrong_filetype_is_a_clear_error(self):
        with self.assertRaisesRegex(ResultsFormatError, "not an xbarmc results file.*'other'"):
            read_results(self.fake(filetype="other"))

    def test_other_major_version_is_a_clear_error(self):
        with self.assertRaisesRegex(ResultsFormatError, "format version 2.0 is not supported"):
            read_results(self.fake(format_version=(2, 0)))

    def test_newer_minor_version_is_read(self):
        self.assertEqual(read_results(self.fake(format_version=(1, 3))).format_version, (1, 3))

    def test_partial_file_needs_allow_partial(self):
        path = self.fake(complete=0)
        with self.assertRaisesRegex(ResultsFormatError, "partial results file"):
            read_results(path)
        self.assertEqual(len(read_results(path, allow_partial=True).points), 8)

    def test_missing_and_non_hdf5_files(self):
        with self.assertRaisesRegex(ResultsFormatError, "no such file"):
            read_results(self.tmp / "absent.h5")
        (self.tmp / "text.h5").write_text("not hdf5")
        with self.assertRaisesRegex(ResultsFormatError, "cannot be opened as HDF5"):
            read_results(self.tmp / "text.h5")

    def test_missing_dataset_is_named(self):
        path = self.fake()
        with h5py.File(path, "a") as f:
            del f["points/1/accuracy"]
        with self.assertRaisesRegex(ResultsFormatError, "missing /points/1/accuracy"):
            read_results(path)

    def test_cli_exit_codes(self):
        bad = self.fake(filetype="other")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(common.run(yield_vs_param.main, [str(bad), str(self.tmp)]), 2)
        self.assertIn("not an xbarmc results file", err.getvalue())
        with contextlib.redirect_stderr(err):
            code = common.run(yield_vs_param.main,
                              [str(self.fake("ok.h5")), str(self.tmp), "--time-index", "9"])
        self.assertEqual(code, 1)
        self.assertIn("--time-index 9 is out of range", err.getvalue())


class SweepTest(Fixture):
    def test_grid_gives_one_curve_per_other_value_sorted_by_x(self):
        sweep = common.Sweep(read_results(self.fake(sweep="grid")))
        self.assertEqual(sweep.x_axis.pointer, "/device/programming/d2d/sigma_rel")
        self.assertTrue(sweep.has_drift_comp)
        curves = sweep.curves()
        self.assertEqual([c.label for c in curves], ["drift comp. none", "drift comp. global"])
        for c in curves:
            self.assertEqual(c.x, [0.02, 0.05, 0.1, 0.2])

    def test_zip_is_one_curve_and_categorical_without_numeric_axis(self):
        self.assertEqual(len(common.Sweep(read_results(self.fake(sweep="zip"))).curves()), 1)
        sweep = common.Sweep(read_results(self.fake(sweep="dc")))
        self.assertIsNone(sweep.x_axis)
        self.assertEqual(sweep.curves()[0].x, [0, 1, 2])

    def test_units_from_key_suffix(self):
        self.assertEqual(common.axis_label("/circuit/r_wire_ohm"), "/circuit/r_wire_ohm (Ω)")
        self.assertEqual(common.unit_of("/device/g_max_uS"), "µS")
        self.assertEqual(common.unit_of("/mapping/tile_rows"), "")

    def test_thinning_keeps_ends(self):
        chosen, note = common.select_points(list(range(20)), None, limit=6)
        self.assertEqual((chosen[0], chosen[-1], len(chosen)), (0, 19, 6))
        self.assertIn("6 of 20", note)
        with self.assertRaises(common.UsageError):
            common.select_points([0, 1], [5])


class HelpersTest(unittest.TestCase):
    def test_bins_hold_each_accuracy_step_inside(self):
        for n in (100, 400, 10000):
            values = np.arange(int(0.6 * n), int(0.93 * n) + 1) / n
            edges = accuracy_distribution.bin_edges(values, n)
            widths = np.diff(edges) * n
            np.testing.assert_allclose(widths, np.round(widths[0]), atol=1e-6)
            self.assertLessEqual(len(edges) - 1, accuracy_distribution.TARGET_BINS + 2)
            # distance of every value to its nearest edge is half a step or more (no aliasing)
            gap = np.min(np.abs(values[:, None] - edges[None, :]), axis=1) * n
            self.assertTrue(np.all(gap > 0.49))
            self.assertTrue(edges[0] < values.min() and edges[-1] > values.max())

    def test_clopper_pearson_known_values(self):
        # x = 0: hi = 1 - (a/2)^(1/n) exactly; x = n mirrors it
        lo, hi = clopper_pearson(0, 50, 0.95)
        self.assertEqual(lo, 0.0)
        self.assertAlmostEqual(hi, 1 - 0.025 ** (1 / 50), places=10)
        lo, hi = clopper_pearson(50, 50, 0.95)
        self.assertAlmostEqual(lo, 0.025 ** (1 / 50), places=10)
        # symmetry: interval of x is the mirror of that of n - x
        a, b = clopper_pearson(7, 40, 0.9), clopper_pearson(33, 40, 0.9)
        self.assertAlmostEqual(a[0], 1 - b[1], places=10)

    def test_drop_mode_threshold_labels(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "r.h5"
            write_fake(path, instances=20, threshold_mode="drop")
            labels = yield_vs_param.threshold_labels(read_results(path))
        self.assertEqual(labels[0], "drop ≤ 2 pp (≥ 86.4 %)")


class SummaryCheckTest(Fixture):
    def test_detects_a_corrupted_summary(self):
        path = self.fake(sweep="none")
        self.assertEqual(check_summary.mismatches(read_results(path)), [])
        with h5py.File(path, "a") as f:
            f["points/0/summary/yield_passed"][0, 0, 0] += 1
        self.assertTrue(any("yield_passed" in m
                            for m in check_summary.mismatches(read_results(path))))


class RenderTest(Fixture):
    def test_every_plot_for_every_sweep(self):
        # "grid" is rendered through the command line by tests/scripts/plots.sh
        for sweep in sorted(set(SWEEPS) - {"grid"}):
            with self.subTest(sweep=sweep):
                path = self.fake(f"{sweep}.h5", sweep=sweep, instances=30)
                out = self.tmp / f"out-{sweep}"
                with contextlib.redirect_stdout(io.StringIO()):
                    for script in SCRIPTS:
                        self.assertEqual(common.run(script.main, [str(path), str(out)]), 0)
                self.assertEqual(check_outputs.problems(out), [])

    def test_single_read_time(self):
        # one time: accuracy_vs_time draws error bars, the report fills the slot with a table
        path = self.fake("t1.h5", sweep="grid2", instances=30, times_s=(3600.0,))
        out = self.tmp / "out-t1"
        with contextlib.redirect_stdout(io.StringIO()):
            for script in SCRIPTS:
                self.assertEqual(common.run(script.main, [str(path), str(out)]), 0)
        self.assertEqual(check_outputs.problems(out), [])


if __name__ == "__main__":
    unittest.main()

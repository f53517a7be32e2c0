"""Prints the table of bench/run.sh from its scratch directory (see docs/benchmarks.md)."""
import json
import sys

import h5py

tmp, cases, threads, network = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
gemm = {}
for line in open(f"{tmp}/gemm.txt"):
    k, v = line.split()
    gemm[k] = float(v)
peak = gemm["fma_peak_gflops"]
sgemm = gemm["sgemm_784x256_by_10000_gflops"]
peak_cpu = gemm.get("fma_peak_cpu_gflops", float("nan"))

# Multiply-adds of the network's weight layers per test sample (2 flops each).
with h5py.File(network, "r") as f:
    macs = sum(int(w.shape[0]) * int(w.shape[1])
               for name, w in ((n, f["layers"][n]) for n in f["layers"])
               if isinstance(w, h5py.Group) and "weight" in w
               for w in [w["weight"]])

print(f"threads {threads}; FMA peak {peak:.0f} GFLOP/s ({int(gemm['vector_bits'])}-bit FMA), "
      f"Eigen SGEMM 10000x784x256 {sgemm:.0f} GFLOP/s, "
      f"per-tile 500x128x256 {gemm['sgemm_tile_500x128x256_gflops']:.0f} GFLOP/s, "
      f"engine tile kernel with ADC {gemm['engine_tile_gemm_adc_gflops']:.0f} GFLOP/s "
      f"(totals over threads)")
head = (f"{'case':<4} {'inst':>5} {'evals':>6} {'wall s':>8} {'MC s':>8} {'evals/s':>8} "
        f"{'GFLOP/s':>8} {'%peak':>6} {'%sgemm':>7} {'%peak MC':>8} {'peak MiB':>9} {'acc':>7}")
print(head)
rows = []
for c in cases:
    fields = open(f"{tmp}/{c}.time").read().split()
    wall, rss_kib = float(fields[0]), fields[1]
    cpu_s = float(fields[2]) + float(fields[3]) if len(fields) >= 4 else float("nan")
    with h5py.File(f"{tmp}/{c}.h5", "r") as f:
        t = json.loads(f.attrs["timings_json"])
        acc = f["points/0/accuracy"][...]
        samples = int(json.loads(f.attrs["config"])["monte_carlo"].get("test_limit", 0) or 0)
    n_inst = acc.shape[0]
    evals = acc.size
    samples = samples or 10000
    flops = 2.0 * macs * samples * evals
    gf = flops / wall * 1e-9
    print(f"{c:<4} {n_inst:>5} {evals:>6} {wall:>8.2f} {t['monte_carlo_s']:>8.2f} "
          f"{evals / wall:>8.2f} {gf:>8.1f} {100 * gf / peak:>5.1f}% {100 * gf / sgemm:>6.1f}% "
          f"{100 * flops / t['monte_carlo_s'] * 1e-9 / peak:>7.1f}% "
          f"{100 * flops / cpu_s * threads * 1e-9 / peak_cpu:>8.1f}% "
          f"{int(rss_kib) / 1024:>9.0f} {float(acc.mean()):>7.4f}")
    rows.append((c, t, wall))
print("GFLOP/s: the network's products on the test set (2 x MACs x samples x evaluations) over the"
      " process wall time; %peak MC: the same over the parallel part only; %peak cpu: per"
      " CPU-second of the process against the FMA loop per CPU-second (robust to other load)")
print("breakdown (seconds summed over threads; evaluate = forward passes incl. DAC/GEMM/ADC):")
print("  setup: load, map, calibrate, noise-free chip; other: the rest of the parallel part")
print("  (statistics per read, scheduling); write+load: process wall - setup - parallel part")
print("  (dataset/network loading, statistics over instances, HDF5 output)")
print(f"{'case':<4} {'setup':>8} {'device':>8} {'circuit':>8} {'evaluate':>9} {'other':>8} {'write+load':>10}")
for c, t, wall in rows:
    busy = threads * t["monte_carlo_s"]
    other = busy - t["device_s"] - t["circuit_s"] - t["evaluate_s"]
    print(f"{c:<4} {t['setup_s']:>8.2f} {t['device_s']:>8.2f} {t['circuit_s']:>8.2f} "
          f"{t['evaluate_s']:>9.2f} {other:>8.2f} {wall - t['setup_s'] - t['monte_carlo_s']:>7.2f}")

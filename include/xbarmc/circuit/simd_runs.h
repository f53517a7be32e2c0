#pragma once
//! \file circuit/simd_runs.h
//! Short-vector helpers of the multifrontal reduction's small-front kernels
//! (src/circuit/multifrontal.cpp): runs of a front column that are mostly shorter
//! than one 64-byte vector. With AVX-512 they use whole vectors plus one masked
//! vector; without it, plain loops doing the same arithmetic per element (only
//! pivot_sum's summation order differs between the two).
#include <cstring>
#include <type_traits>
#include "xbarmc/util/eigen.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace xbarmc::circuit::simd {

//! dst[t] += src[t] for t < len (a run of the extend-add, often shorter than a
//! vector): with AVX-512, whole vectors and one masked vector for the remainder
//! instead of a scalar remainder loop; the same additions either way.
template <class Scalar>
inline void add_run(Scalar* dst, const Scalar* src, int len) {
#if defined(__AVX512F__)
  int t = 0;
  if constexpr (std::is_same_v<Scalar, float>) {
    for (; t + 16 <= len; t += 16)
      _mm512_storeu_ps(dst + t, _mm512_add_ps(_mm512_loadu_ps(dst + t), _mm512_loadu_ps(src + t)));
    if (t < len) {
      const __mmask16 m = static_cast<__mmask16>((1u << (len - t)) - 1u);
      _mm512_mask_storeu_ps(
          dst + t, m,
          _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst + t), _mm512_maskz_loadu_ps(m, src + t)));
    }
  } else {
    for (; t + 8 <= len; t += 8)
      _mm512_storeu_pd(dst + t, _mm512_add_pd(_mm512_loadu_pd(dst + t), _mm512_loadu_pd(src + t)));
    if (t < len) {
      const __mmask8 m = static_cast<__mmask8>((1u << (len - t)) - 1u);
      _mm512_mask_storeu_pd(
          dst + t, m,
          _mm512_add_pd(_mm512_maskz_loadu_pd(m, dst + t), _mm512_maskz_loadu_pd(m, src + t)));
    }
  }
#else
  for (int t = 0; t < len; ++t) dst[t] += src[t];
#endif
}

//! dst[t] = src[t] for t < len, likewise (short runs: no call to memcpy).
template <class Scalar>
inline void copy_run(Scalar* dst, const Scalar* src, int len) {
#if defined(__AVX512F__)
  int t = 0;
  if constexpr (std::is_same_v<Scalar, float>) {
    for (; t + 16 <= len; t += 16) _mm512_storeu_ps(dst + t, _mm512_loadu_ps(src + t));
    if (t < len) {
      const __mmask16 m = static_cast<__mmask16>((1u << (len - t)) - 1u);
      _mm512_mask_storeu_ps(dst + t, m, _mm512_maskz_loadu_ps(m, src + t));
    }
  } else {
    for (; t + 8 <= len; t += 8) _mm512_storeu_pd(dst + t, _mm512_loadu_pd(src + t));
    if (t < len) {
      const __mmask8 m = static_cast<__mmask8>((1u << (len - t)) - 1u);
      _mm512_mask_storeu_pd(dst + t, m, _mm512_maskz_loadu_pd(m, src + t));
    }
  }
#else
  std::memcpy(dst, src, sizeof(Scalar) * static_cast<std::size_t>(len));
#endif
}

//! Pivot sum of the small-front kernel: the sum of rows k+1..f-1 of a front column
//! `col` of 64-byte vectors (V = 64 / sizeof(Scalar) lanes) whose rows from f to the
//! end of vector nv-1 are zero, given v0 = (k+1) / V, skip = k+1 - v0 V and
//! n = f-k-1. With AVX-512: the vectors v0..nv-1 (lanes of rows <= k masked)
//! summed in order, then the lanes by _mm512_reduce_add (a fixed tree); without,
//! Eigen's sum of the n entries.
template <class Scalar>
inline Scalar pivot_sum(const Scalar* col, int v0, int nv, int skip, int n) {
#if defined(__AVX512F__)
  (void)n;
  if constexpr (std::is_same_v<Scalar, float>) {
    const __mmask16 m0 = static_cast<__mmask16>(0xFFFFu << skip);
    __m512 acc = _mm512_maskz_loadu_ps(m0, col + v0 * 16);
    for (int v = v0 + 1; v < nv; ++v) acc = _mm512_add_ps(acc, _mm512_loadu_ps(col + v * 16));
    return _mm512_reduce_add_ps(acc);
  } else {
    const __mmask8 m0 = static_cast<__mmask8>(0xFFu << skip);
    __m512d acc = _mm512_maskz_loadu_pd(m0, col + v0 * 8);
    for (int v = v0 + 1; v < nv; ++v) acc = _mm512_add_pd(acc, _mm512_loadu_pd(col + v * 8));
    return _mm512_reduce_add_pd(acc);
  }
#else
  (void)nv;
  return Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> >(
             col + v0 * (64 / static_cast<int>(sizeof(Scalar))) + skip, n)
      .sum();
#endif
}

//! One 64-byte vector of Scalar (float or double; GCC/Clang vector extension).
template <class Scalar>
struct Vec64;
template <>
struct Vec64<float> {
  //! 16 floats
  typedef float type __attribute__((vector_size(64)));
};
template <>
struct Vec64<double> {
  //! 8 doubles
  typedef double type __attribute__((vector_size(64)));
};

#if defined(__AVX512F__)
//! Bit t set where lane t of a 64-byte vector of floats is nonzero.
inline unsigned nonzero_lanes(Vec64<float>::type x) {
  __m512 r;
  std::memcpy(&r, &x, sizeof(r));
  return _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_NEQ_UQ);
}
//! Bit t set where lane t of a 64-byte vector of doubles is nonzero.
inline unsigned nonzero_lanes(Vec64<double>::type x) {
  __m512d r;
  std::memcpy(&r, &x, sizeof(r));
  return _mm512_cmp_pd_mask(r, _mm512_setzero_pd(), _CMP_NEQ_UQ);
}
#endif

}  // namespace xbarmc::circuit::simd

// GCC 12 raises a false -Wuninitialized in its AVX-512 intrinsics inlined from Eigen under
// -march=native (GCC bug 105593); -Wmaybe-uninitialized is off for the whole build
// (CMakeLists.txt).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "xbarmc/chip/tile_gemm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "xbarmc/periphery/quantizer.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace xbarmc::chip {

void PackedWeights::pack(const Eigen::MatrixXf& w, const std::vector<int>& k0) {
  out_ = static_cast<int>(w.cols());
  panels_ = (out_ + 31) / 32;
  k0_ = k0;  // same size every call: no allocation once sized
  k0_.push_back(static_cast<int>(w.rows()));
  data_.resize(static_cast<std::size_t>(w.rows()) * panels_ * 32);
  for (int r = 0; r + 1 < static_cast<int>(k0_.size()); ++r)
    for (int p = 0; p < panels_; ++p) {
      float* dst = const_cast<float*>(panel(r, p));
      const int c0 = 32 * p, nc = std::min(32, out_ - c0);
      for (int k = 0; k < tile_rows(r); ++k) {
        for (int j = 0; j < nc; ++j) dst[k * 32 + j] = w(tile_k0(r) + k, c0 + j);
        for (int j = nc; j < 32; ++j) dst[k * 32 + j] = 0.0f;
      }
    }
}

namespace {

//! The epilogue of one row of n columns (portable form).
[[maybe_unused]] void epilogue_row(const float* p, const TileEpilogue& e, float* y, int n) {
  for (int c = 0; c < n; ++c) {
    float v = p[c];
    if (e.step) v = periphery::quantize_value(v, e.step[c], e.inv_step[c], e.max_code);
    if (e.comp) v *= e.comp[c];
    y[c] = (e.first ? 0.0f : y[c]) + v;
  }
}

#if defined(__AVX512F__)
//! MR x 32 block of rows [i0, i0 + MR) and columns [c0, c0 + nc) (nc <= 32).
template <int MR>
void micro_kernel(const float* a, Eigen::Index lda, const float* bp, int k_rows, float* y,
                  Eigen::Index ldy, int c0, int nc, const TileEpilogue& e) {
  __m512 acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int k = 0; k < k_rows; ++k) {
    const __m512 b0 = _mm512_load_ps(bp + 32 * k), b1 = _mm512_load_ps(bp + 32 * k + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i * lda + k]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
  const __mmask16 m0 = nc >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << nc) - 1u);
  const __mmask16 m1 =
      nc >= 32 ? __mmask16(0xFFFF) : (nc <= 16 ? __mmask16(0) : __mmask16((1u << (nc - 16)) - 1u));
  const __m512 one = _mm512_set1_ps(1.0f), lo = _mm512_set1_ps(-e.max_code),
               hi = _mm512_set1_ps(e.max_code);
  __m512 step[2] = {one, one}, inv[2] = {one, one}, comp[2] = {one, one};
  if (e.step) {
    step[0] = _mm512_mask_loadu_ps(one, m0, e.step + c0);
    step[1] = _mm512_mask_loadu_ps(one, m1, e.step + c0 + 16);
    inv[0] = _mm512_mask_loadu_ps(one, m0, e.inv_step + c0);
    inv[1] = _mm512_mask_loadu_ps(one, m1, e.inv_step + c0 + 16);
  }
  if (e.comp) {
    comp[0] = _mm512_mask_loadu_ps(one, m0, e.comp + c0);
    comp[1] = _mm512_mask_loadu_ps(one, m1, e.comp + c0 + 16);
  }
  const __mmask16 m[2] = {m0, m1};
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
    for (int h = 0; h < 2; ++h) {
      __m512 v = acc[i][h];
      if (e.step) v = periphery::quantize_values(v, step[h], inv[h], lo, hi);
      if (e.comp) v = _mm512_mul_ps(v, comp[h]);
      float* yp = y + i * ldy + c0 + 16 * h;
      const __m512 prev = e.first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m[h], yp);
      _mm512_mask_storeu_ps(yp, m[h], _mm512_add_ps(prev, v));
    }
}

//! Quantised copy of one block of inputs: MR rows x k_rows, row stride `lda` in `a`, into
//! `buf` with row stride k_rows. Sized for the largest tile it meets; per thread, reused.
constexpr int MAX_MR = 12;

template <int MR>
void row_block(const nn::MatrixRM& x, const PackedWeights& w, int r, Eigen::Index i0,
               const TileEpilogue& e, nn::MatrixRM& y) {
  const float* a = x.data() + i0 * x.cols() + w.tile_k0(r);
  Eigen::Index lda = x.cols();
  const int kr = w.tile_rows(r);
  if (e.dac_step != 0.0f) {
    // One quantised block of inputs (at most MR x tile rows floats, L1-resident), used by
    // every panel below.
    thread_local std::vector<float, Eigen::aligned_allocator<float>> buf;
    if (buf.size() < static_cast<std::size_t>(MAX_MR * kr))
      buf.resize(static_cast<std::size_t>(MAX_MR * kr));
    for (int i = 0; i < MR; ++i)
      periphery::quantize_values(a + i * lda, buf.data() + i * kr, kr, e.dac_step, e.dac_max_code);
    // The next block's inputs come from memory (the test set does not fit in cache) as short
    // strided row pieces the hardware prefetcher does not follow: ask for them now, while the
    // panels below run on this block.
    const Eigen::Index next = std::min<Eigen::Index>(MR, x.rows() - i0 - MR);
    for (Eigen::Index i = 0; i < next; ++i)
      for (int k = 0; k < kr; k += 16)
        _mm_prefetch(reinterpret_cast<const char*>(a + (MR + i) * lda + k), _MM_HINT_T0);
    a = buf.data();
    lda = kr;
  }
  float* yp = y.data() + i0 * y.cols();
  for (int p = 0; p < w.panels(); ++p)
    micro_kernel<MR>(a, lda, w.panel(r, p), kr, yp, y.cols(), 32 * p,
                     std::min(32, w.out() - 32 * p), e);
}
#endif

}  // namespace

void tile_gemm(const nn::MatrixRM& x, const PackedWeights& w, const Eigen::MatrixXf& w_plain, int r,
               const TileEpilogue& e, nn::MatrixRM& y, nn::MatrixRM& scratch) {
  const Eigen::Index b = x.rows();
#if defined(__AVX512F__)
  (void)w_plain;
  (void)scratch;
  constexpr int MR = 12;
  Eigen::Index i = 0;
  for (; i + MR <= b; i += MR) row_block<MR>(x, w, r, i, e, y);
  switch (b - i) {
    case 0:
      break;
    case 1:
      row_block<1>(x, w, r, i, e, y);
      break;
    case 2:
      row_block<2>(x, w, r, i, e, y);
      break;
    case 3:
      row_block<3>(x, w, r, i, e, y);
      break;
    case 4:
      row_block<4>(x, w, r, i, e, y);
      break;
    case 5:
      row_block<5>(x, w, r, i, e, y);
      break;
    case 6:
      row_block<6>(x, w, r, i, e, y);
      break;
    case 7:
      row_block<7>(x, w, r, i, e, y);
      break;
    case 8:
      row_block<8>(x, w, r, i, e, y);
      break;
    case 9:
      row_block<9>(x, w, r, i, e, y);
      break;
    case 10:
      row_block<10>(x, w, r, i, e, y);
      break;
    default:
      row_block<11>(x, w, r, i, e, y);
      break;
  }
#else
  const int k0 = w.tile_k0(r), kr = w.tile_rows(r);
  if (e.dac_step != 0.0f) {
    const float inv = 1.0f / e.dac_step;
    thread_local nn::MatrixRM xq;  // keeps its storage across calls of the same shape
    xq = x.middleCols(k0, kr).unaryExpr(
        [&](float v) { return periphery::quantize_value(v, e.dac_step, inv, e.dac_max_code); });
    scratch.noalias() = xq * w_plain.middleRows(k0, kr);
  } else {
    scratch.noalias() = x.middleCols(k0, kr) * w_plain.middleRows(k0, kr);
  }
  for (Eigen::Index i = 0; i < b; ++i)
    epilogue_row(scratch.row(i).data(), e, y.row(i).data(), w.out());
#endif
}

}  // namespace xbarmc::chip

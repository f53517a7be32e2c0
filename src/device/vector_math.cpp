#include "xbarmc/device/vector_math.h"

#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace xbarmc::device {

namespace {
#if defined(__AVX512F__)
//! exp of 16 lanes: n = round(x log2 e), r = x - n ln2 (ln2 split in a high part exact in float
//! and a low part), e^r = 1 + r + r^2 P(r) (Cephes expf coefficients), times 2^n (scalef keeps
//! overflow to +inf and underflow to 0 exact).
inline __m512 exp16(__m512 x) {
  const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
  const __m512 ln2_hi = _mm512_set1_ps(0.693359375f), ln2_lo = _mm512_set1_ps(-2.12194440e-4f);
  // Clamp so that n stays finite; exp(+-100) is already +inf / 0 in float after scaling.
  const __m512 xc =
      _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-104.0f)), _mm512_set1_ps(100.0f));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(xc, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, ln2_hi, xc);
  r = _mm512_fnmadd_ps(n, ln2_lo, r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 r2 = _mm512_mul_ps(r, r);
  const __m512 e = _mm512_add_ps(_mm512_fmadd_ps(p, r2, r), _mm512_set1_ps(1.0f));
  const __m512 y = _mm512_scalef_ps(e, n);
  // NaN in, NaN out (the clamp above would have turned it into a number).
  return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}
#endif
}  // namespace

void exp_n(const float* x, float* y, std::ptrdiff_t n) {
  std::ptrdiff_t k = 0;
#if defined(__AVX512F__)
  for (; k < n; k += 16) {
    const __mmask16 m = n - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - k)) - 1u);
    _mm512_mask_storeu_ps(y + k, m, exp16(_mm512_maskz_loadu_ps(m, x + k)));
  }
#endif
  for (; k < n; ++k) y[k] = std::exp(x[k]);
}

}  // namespace xbarmc::device

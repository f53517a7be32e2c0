#pragma once
//! \file periphery/quantizer.h
//! The one definition of the converters' quantiser, used by the DAC and the ADC, by
//! periphery::quantize and by the chip's fused tile kernels (scalar and AVX-512 forms).
//!
//! Symmetric, mid-tread (zero is a level), n bits including the sign, full scale R:
//!   max_code = 2^(n-1) - 1,   step = R / max_code (float),   inv_step = 1 / step (float),
//!   q(x) = step * clamp(round(x * inv_step), -max_code, max_code),
//! where round is round-half-to-even (the FPU's default mode: std::nearbyint, and
//! _MM_FROUND_TO_NEAREST_INT). x * inv_step replaces x / step (one multiply instead of a
//! division); the code differs from that of the exact quotient only where x / step lies
//! within an ulp of a half-integer. Values beyond +-R saturate at +-R; NaN passes through.
//! Every form below performs the same float operations in the same order, so the scalar and
//! vector forms give the same bits.

#include <algorithm>
#include <cmath>
#include <cstddef>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace xbarmc::periphery {

//! Largest code magnitude of an n-bit signed mid-tread quantiser: 2^(bits-1) - 1.
inline float max_code(int bits) { return static_cast<float>((1 << (bits - 1)) - 1); }

//! The quantiser's step for `bits` and full scale `range` (same units as the range).
inline float quantizer_step(int bits, float range) { return range / max_code(bits); }

//! q(x) for one value.
inline float quantize_value(float x, float step, float inv_step, float max_code) {
  return step * std::clamp(std::nearbyint(x * inv_step), -max_code, max_code);
}

#if defined(__AVX512F__)
//! q(x) for 16 values; lo = -max_code and hi = max_code broadcast. max/min return their
//! second operand when one is NaN, so NaN passes through as with std::clamp.
inline __m512 quantize_values(__m512 x, __m512 step, __m512 inv_step, __m512 lo, __m512 hi) {
  const __m512 r = _mm512_roundscale_ps(_mm512_mul_ps(x, inv_step),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return _mm512_mul_ps(step, _mm512_min_ps(hi, _mm512_max_ps(lo, r)));
}
#endif

//! out[i] = q(in[i]) for n values with one step (in == out allowed).
inline void quantize_values(const float* in, float* out, std::ptrdiff_t n, float step,
                            float max_code) {
  const float inv_step = 1.0f / step;
  std::ptrdiff_t i = 0;
#if defined(__AVX512F__)
  const __m512 s = _mm512_set1_ps(step), inv = _mm512_set1_ps(inv_step),
               lo = _mm512_set1_ps(-max_code), hi = _mm512_set1_ps(max_code);
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(out + i, quantize_values(_mm512_loadu_ps(in + i), s, inv, lo, hi));
  if (i < n) {
    const auto m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(out + i, m,
                          quantize_values(_mm512_maskz_loadu_ps(m, in + i), s, inv, lo, hi));
  }
#else
  for (; i < n; ++i) out[i] = quantize_value(in[i], step, inv_step, max_code);
#endif
}

}  // namespace xbarmc::periphery

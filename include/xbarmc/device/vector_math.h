#pragma once
//! \file device/vector_math.h
//! Elementwise float exponential for whole tiles (drift factors of a million devices per
//! read time): the std::exp of libm is a scalar call the compiler cannot vectorise.

#include <cstddef>

namespace xbarmc::device {

//! y[k] = exp(x[k]) for k < n, float, relative error below 3 ulp (2^-23) over the range where
//! the result is a normal float; +inf above it, 0 (or a subnormal) below, NaN for NaN.
//! Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2, and the degree-6 minimax polynomial of
//! Cephes' expf (S. L. Moshier, Cephes Math Library, 1984-1992), scaled by 2^n; 16 lanes with
//! AVX-512, std::exp otherwise. `x` and `y` may be the same array.
void exp_n(const float* x, float* y, std::ptrdiff_t n);

}  // namespace xbarmc::device

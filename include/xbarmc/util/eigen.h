#pragma once
//! \file util/eigen.h
//! Includes Eigen/Core. GCC 12 with -march=native (AVX-512) reports false
//! -Wmaybe-uninitialized warnings inside Eigen 3.4's AVX-512 packet code
//! (Eigen/src/Core/arch/AVX512/PacketMath.h: pload1, ploadquad, pmax; GCC bug 105593);
//! GCC records diagnostic pragmas by source location, so ignoring the warning around the
//! include silences it for those header lines only.

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop
#else
#include <Eigen/Core>
#endif

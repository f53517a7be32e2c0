#pragma once
//! \file util/eigen.h
//! The project's one include of Eigen's dense core. GCC 12 with -march=native (AVX-512)
//! reports false -Wmaybe-uninitialized warnings inside Eigen 3.4's AVX-512 packet code (GCC bug
//! 105593); CMakeLists.txt turns that warning off for the whole build, so no file repeats a
//! workaround.

#include <Eigen/Core>

#pragma once
//! \file util/overloaded.h
//! The usual visitor helper for std::visit over the layer variant: one callable made of
//! several lambdas (C++17 idiom, cppreference "std::visit", example 4).

namespace xbarmc::util {

//! Inherits the call operators of every Ts (lambdas), for std::visit.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace xbarmc::util

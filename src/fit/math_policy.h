#pragma once
// The Boost.Math error policy of the fit's distribution functions (one definition for every
// file of src/fit/): degenerate input (e.g. every value equal) gives NaN or infinite bounds
// instead of a Boost exception; the callers check and warn.

#include <boost/math/policies/policy.hpp>

namespace xbarmc::fit {

using QuietPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

}  // namespace xbarmc::fit

#include "xbarmc/periphery/periphery.h"

namespace xbarmc::periphery {

namespace {

using config::Node;
using config::Range;

void parse_converter(Node& n, int& bits, RangeMode& mode, double& range) {
  n.get("bits", bits, Range::between(0, 24));
  if (bits == 1)
    n.error("bits", "must be 0 (ideal) or in [2, 24] (a signed quantiser needs a sign bit), got 1");
  n.choice("range_mode", mode,
           {{"fixed", RangeMode::Fixed}, {"calibrated", RangeMode::Calibrated}});
  if (mode == RangeMode::Fixed) {
    n.get("range", range, Range::positive());
  } else if (n.has("range")) {
    n.accept("range");
    n.error("range", "is only used with range_mode \"fixed\"");
  }
}

}  // namespace

void parse_periphery(Node& node, PeripheryParams& p) {
  Node dac = node.child("dac");
  parse_converter(dac, p.dac.bits, p.dac.range_mode, p.dac.range);
  dac.finish();
  Node adc = node.child("adc");
  parse_converter(adc, p.adc.bits, p.adc.range_mode, p.adc.range);
  adc.get("per_column", p.adc.per_column);
  adc.get("calibration_headroom", p.adc.calibration_headroom, Range::at_least(1.0));
  adc.finish();
  node.choice("drift_compensation", p.drift_compensation,
              {{"none", DriftCompensation::None},
               {"global", DriftCompensation::Global},
               {"per_column", DriftCompensation::PerColumn}});
  node.get("v_read_V", p.v_read_V, Range::positive());
  node.finish();
}

}  // namespace xbarmc::periphery

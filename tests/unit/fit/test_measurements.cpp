// The measurement CSV reader: accepted format and one test per rejected input.
#include <gtest/gtest.h>

#include <string>

#include "xbarmc/fit/measurements.h"
#include "xbarmc/util/error.h"

using namespace xbarmc;
using namespace xbarmc::fit;

namespace {

const std::string HEADER = "device,cycle,target_uS,time_s,g_uS\n";

// Message of the InputError `text` raises ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    (void)parse_measurements(text, "m.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Measurements, ParsesColumnsInAnyOrderWithComments) {
  const auto m = parse_measurements(
      "# lab export\n g_uS , device,cycle,time_s,target_uS,read\n10.5,a,0,0,10,0\n10.7,a,0,0,10,1\n"
      "\n20.1,b,3,1.5,20,0\n",
      "m.csv");
  ASSERT_EQ(m.reads.size(), 3u);
  EXPECT_EQ(m.devices, (std::vector<std::string>{"a", "b"}));
  EXPECT_DOUBLE_EQ(m.reads[2].g_uS, 20.1);
  EXPECT_DOUBLE_EQ(m.reads[2].time_s, 1.5);
  EXPECT_EQ(m.reads[2].cycle, 3);
  EXPECT_EQ(m.reads[2].line, 6u);
  EXPECT_EQ(m.sha256.size(), 64u);
}

TEST(Measurements, LevelColumnTargetsAreFirstReadMedians) {
  const auto m = parse_measurements(
      "device,cycle,level,time_s,g_uS\na,0,0,0,9\nb,0,0,0,11\nc,0,0,0,10\na,1,1,0,30\na,1,1,5,29\n",
      "m.csv");
  EXPECT_TRUE(m.by_level);
  EXPECT_DOUBLE_EQ(m.reads[0].target_uS, 10);
  EXPECT_DOUBLE_EQ(m.reads[4].target_uS, 30);  // the t = 5 read does not enter the median
}

TEST(Measurements, UnknownColumnSuggests) {
  const auto e = error_of("device,cycle,target_uS,time_s,g_us\n");
  EXPECT_NE(e.find("line 1"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean \"g_uS\""), std::string::npos) << e;
}

TEST(Measurements, MissingColumn) {
  EXPECT_NE(error_of("device,cycle,target_uS,g_uS\n").find("missing column \"time_s\""),
            std::string::npos);
  EXPECT_NE(error_of("device,cycle,time_s,g_uS\n").find("\"target_uS\" (or \"level\")"),
            std::string::npos);
}

TEST(Measurements, NonNumericNamesLineAndColumn) {
  const auto e = error_of(HEADER + "a,0,10,0,10\na,1,20,0,abc\n");
  EXPECT_NE(e.find("line 3, column 'g_uS': not a number"), std::string::npos) << e;
}

TEST(Measurements, NegativeConductance) {
  const auto e = error_of(HEADER + "a,0,10,0,-1\n");
  EXPECT_NE(e.find("line 2, column 'g_uS': negative conductance"), std::string::npos) << e;
}

TEST(Measurements, NaNAndInfinity) {
  EXPECT_NE(error_of(HEADER + "a,0,10,0,nan\n").find("column 'g_uS': is NaN"), std::string::npos);
  EXPECT_NE(error_of(HEADER + "a,0,10,inf,1\n").find("column 'time_s': is not finite"),
            std::string::npos);
}

TEST(Measurements, DuplicateRowNamesBothLines) {
  const auto e = error_of(HEADER + "a,0,10,0,10\nb,0,20,0,20\na,0,10,0,10.2\n");
  EXPECT_NE(e.find("line 4"), std::string::npos) << e;
  EXPECT_NE(e.find("duplicate row"), std::string::npos) << e;
  EXPECT_NE(e.find("line 2"), std::string::npos) << e;
}

TEST(Measurements, FewerThanTwoLevels) {
  const auto e = error_of(HEADER + "a,0,10,0,10\nb,0,10,0,11\n");
  EXPECT_NE(e.find("fewer than two levels"), std::string::npos) << e;
}

TEST(Measurements, FieldCountTwoTargetsAndEmptyFile) {
  EXPECT_NE(error_of(HEADER + "a,0,10,0\n").find("line 2: has 4 fields"), std::string::npos);
  EXPECT_NE(error_of(HEADER + "a,0,10,0,10\na,0,20,5,10\n").find("two targets in cycle 0"),
            std::string::npos);
  EXPECT_NE(error_of("").find("no header"), std::string::npos);
  EXPECT_NE(error_of(HEADER).find("no data rows"), std::string::npos);
  EXPECT_NE(error_of(HEADER + "a,-1,10,0,10\n").find("column 'cycle': must be >= 0"),
            std::string::npos);
}

TEST(Measurements, UnreadableFileIsIoError) {
  EXPECT_THROW(load_measurements("/nonexistent/m.csv"), IoError);
}

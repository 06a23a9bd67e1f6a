#include "pase/stages/pipeline_schedule.hpp"

#include <gtest/gtest.h>

namespace pase {
namespace {

TEST(PipelineSchedule, BubbleIsStagesLessOneOverChunksTimesMicrobatches) {
  EXPECT_DOUBLE_EQ(bubble_fraction({4, 8, 1}), 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(bubble_fraction({4, 8, 2}), 3.0 / 16.0);
  EXPECT_DOUBLE_EQ(bubble_fraction({1, 5, 1}), 0.0);
}

TEST(PipelineSchedule, EqualStagesTakeTheIdealTimePlusTheBubble) {
  // 4 stages of 1 s a micro-batch, 8 micro-batches: 8 s of work, 3 s filling and draining.
  EXPECT_DOUBLE_EQ(pipeline_time_s({1, 1, 1, 1}, {4, 8, 1}), 11.0);
  EXPECT_DOUBLE_EQ(pipeline_time_s({1, 1, 1, 1}, {4, 8, 1}), 8.0 * (1 + bubble_fraction({4, 8, 1})));
  // Two chunks a device: the fill and drain shrink to 3 * 0.5 s.
  EXPECT_DOUBLE_EQ(pipeline_time_s({1, 1, 1, 1}, {4, 8, 2}), 9.5);
  EXPECT_DOUBLE_EQ(pipeline_time_s({1, 1, 1, 1}, {4, 8, 2}), 8.0 * (1 + bubble_fraction({4, 8, 2})));
}

TEST(PipelineSchedule, TheSlowestStageSetsThePace) {
  // Stages of 1, 2 and 1 s, 4 micro-batches: 4 s to fill and drain, then 3 more of the slow stage.
  EXPECT_DOUBLE_EQ(pipeline_time_s({1, 2, 1}, {3, 4, 1}), 10.0);
  EXPECT_DOUBLE_EQ(pipeline_time_s({2.5}, {1, 6, 1}), 15.0);  // one stage: m times its time
}

TEST(PipelineSchedule, EarlierStagesHoldMoreMicrobatches) {
  EXPECT_DOUBLE_EQ(in_flight_microbatches({4, 8, 1}, 0), 4);
  EXPECT_DOUBLE_EQ(in_flight_microbatches({4, 8, 1}, 3), 1);
  EXPECT_DOUBLE_EQ(in_flight_microbatches({4, 2, 1}, 0), 2);  // never more than there are
  // Interleaved, 4 stages, 2 chunks: the first stage holds p + (p - 1) / v = 5.5 (Korthikanti 2022).
  EXPECT_DOUBLE_EQ(in_flight_microbatches({4, 8, 2}, 0), 5.5);
  EXPECT_DOUBLE_EQ(in_flight_microbatches({4, 8, 2}, 3), 2.5);
  EXPECT_DOUBLE_EQ(in_flight_microbatches({4, 4, 4}, 0), 4.0);  // capped at m
}

TEST(PipelineSchedule, ImpossibleSchedulesSayWhatToChange) {
  EXPECT_EQ(schedule_error({4, 8, 2}), "");
  EXPECT_NE(schedule_error({4, 6, 2}).find("multiple of the pipeline stages"), std::string::npos);
  EXPECT_NE(schedule_error({1, 4, 2}).find("at least 2 pipeline stages"), std::string::npos);
  EXPECT_NE(schedule_error({0, 4, 1}), "");
  EXPECT_NE(schedule_error({2, 0, 1}), "");
}

}  // namespace
}  // namespace pase

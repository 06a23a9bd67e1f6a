// Runs under mpiexec with any number of ranks (registered in CTest for 1 and 3).
#include "pase/sweep/work_queue.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <numeric>

#include "pase/mpi/mpi_runtime.hpp"

namespace pase {
namespace {

Communicator* session = nullptr;

TEST(WorkQueueTest, hands_out_every_point_exactly_once) {
  const std::vector<std::uint64_t> sizes = {5, 0, 17, 1, 40, 3};
  std::vector<std::uint64_t> offsets(sizes.size() + 1, 0);
  std::partial_sum(sizes.begin(), sizes.end(), offsets.begin() + 1);
  std::vector<int> taken(offsets.back(), 0);
  std::vector<std::size_t> sequence;
  {
    WorkQueue queue(*session, sizes);
    while (const auto item = queue.next()) {
      ASSERT_LT(item->group, sizes.size());
      ASSERT_LT(item->offset, sizes[item->group]);
      ++taken[offsets[item->group] + item->offset];
      sequence.push_back(item->group);
      queue.mark_done();
    }
    session->barrier();
    EXPECT_EQ(queue.done(), offsets.back());
  }
  std::vector<int> total(taken.size(), 0);
  MPI_Allreduce(taken.data(), total.data(), static_cast<int>(taken.size()), MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  for (std::size_t i = 0; i < total.size(); ++i) EXPECT_EQ(total[i], 1) << "point " << i;
  if (session->size() == 1) {
    // One rank takes the groups whole, in order.
    std::vector<std::size_t> expected;
    for (std::size_t g = 0; g < sizes.size(); ++g) expected.insert(expected.end(), sizes[g], g);
    EXPECT_EQ(sequence, expected);
  }
}

// A rank that cannot go on stops the queue: from then on no rank gets a point.
TEST(WorkQueueTest, a_stop_from_one_rank_ends_every_ranks_work) {
  const int last = session->size() - 1;
  std::uint64_t taken = 0;
  {
    WorkQueue queue(*session, {50, 50});
    EXPECT_FALSE(queue.stopped());
    session->barrier();
    if (session->rank() == last) {
      ASSERT_TRUE(queue.next().has_value());
      queue.stop();
    }
    session->barrier();
    EXPECT_TRUE(queue.stopped());
    while (queue.next()) ++taken;
    session->barrier();
  }
  EXPECT_EQ(session->sum(taken), 0u);
}

TEST(WorkQueueTest, empty_queue_and_collectives) {
  {
    WorkQueue queue(*session, {});
    EXPECT_FALSE(queue.next().has_value());
  }
  std::string text = session->rank() == 0 ? "from rank 0" : "";
  text = session->broadcast(text, 0);
  EXPECT_EQ(text, "from rank 0");
  std::vector<std::uint64_t> values;
  if (session->rank() == 0) values = {3, 1, 4};
  session->broadcast(values);
  EXPECT_EQ(values, (std::vector<std::uint64_t>{3, 1, 4}));
  EXPECT_EQ(session->sum(2), 2u * static_cast<std::uint64_t>(session->size()));
  EXPECT_EQ(session->max(static_cast<double>(session->rank())), session->size() - 1.0);
}

}  // namespace
}  // namespace pase

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  pase::MpiRuntime mpi(argc, argv);
  pase::session = &mpi.world();
  if (mpi.rank() != 0) {
    auto& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  int failed = RUN_ALL_TESTS();
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any;
}

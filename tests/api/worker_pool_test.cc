#include "api/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>

namespace gatehouse::api {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskIncludingQueuedOnesAtShutdown) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(4);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    for (int i = 0; i < 4; ++i)
      pool.enqueue([&, gate] {
        gate.wait();
        ++ran;
      });                                                        // every worker busy
    for (int i = 0; i < 100; ++i) pool.enqueue([&] { ++ran; });  // these queue
    release.set_value();
    pool.shutdown();
    EXPECT_EQ(ran.load(), 104);
  }
}

// The point of the pool: one request at a time is served by one thread, not rotated
// through every idle one (each would keep its stack and malloc caches resident).
TEST(WorkerPoolTest, ReusesTheMostRecentlyIdleWorker) {
  WorkerPool pool(64);
  // Four workers started by four concurrent tasks, all idle again afterwards.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  for (int i = 0; i < 4; ++i) pool.enqueue([gate] { gate.wait(); });
  release.set_value();
  while (pool.IdleWorkers() != 4) std::this_thread::yield();
  ASSERT_EQ(pool.Workers(), 4U);
  std::set<std::thread::id> threads;
  for (int i = 0; i < 200; ++i) {
    std::promise<std::thread::id> done;
    auto id = done.get_future();
    pool.enqueue([&done] { done.set_value(std::this_thread::get_id()); });
    threads.insert(id.get());
    while (pool.IdleWorkers() != pool.Workers()) std::this_thread::yield();  // back to idle
  }
  EXPECT_EQ(threads.size(), 1U) << "sequential tasks were spread over " << threads.size() << " threads";
  EXPECT_EQ(pool.Workers(), 4U);  // and none was started for them
}

TEST(WorkerPoolTest, StartsWorkersOnDemandUpToItsSize) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.Workers(), 0U);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i)
    pool.enqueue([&, gate] {
      gate.wait();
      ++ran;
    });
  EXPECT_EQ(pool.Workers(), 3U);
  release.set_value();
  pool.shutdown();
  EXPECT_EQ(ran.load(), 10);
}

TEST(WorkerPoolTest, ConcurrentTasksUseAsManyWorkersAsTheyNeed) {
  WorkerPool pool(8);
  std::atomic<int> running{0}, peak{0};
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  for (int i = 0; i < 8; ++i) {
    pool.enqueue([&, gate] {
      peak = std::max(peak.load(), ++running);
      ++started;
      gate.wait();
      --running;
    });
  }
  while (started.load() < 8) std::this_thread::yield();
  EXPECT_EQ(peak.load(), 8);
  release.set_value();
  pool.shutdown();
}

}  // namespace
}  // namespace gatehouse::api

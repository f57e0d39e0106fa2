// Instruments for hot paths: a counter and a histogram that many threads update without
// a lock and without sharing a cache line, read only when /metrics is scraped.
//
// Each instrument keeps kSlots copies of its cells, each copy on its own cache lines; a
// thread always updates the copy its thread-local slot number picks (threads are spread
// over slots round-robin as they first touch any instrument), with relaxed atomic adds.
// A read sums the copies: it may miss updates racing with it, never invent any, and a
// counter never goes backwards between reads.
//
// Histogram buckets are upper bounds in seconds, ascending; an observation lands in the
// first bucket whose bound is >= it (Prometheus' `le`), or in +Inf. The sum is kept in
// nanoseconds as an integer (exact, and adds without a CAS loop).
//
// Thread safety: Add/Observe/Value/Read may be called concurrently from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace gatehouse {

namespace instruments_detail {
inline constexpr std::size_t kSlots = 16;
std::size_t ThreadSlot();
}  // namespace instruments_detail

class ShardedCounter {
 public:
  void Add(std::uint64_t n = 1) {
    cells_[instruments_detail::ThreadSlot()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t Value() const {
    std::uint64_t total = 0;
    for (const auto& c : cells_) total += c.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  struct alignas(64) Cell {
    std::atomic<std::uint64_t> value{0};
  };
  std::array<Cell, instruments_detail::kSlots> cells_;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds_seconds);

  void Observe(std::int64_t nanoseconds);

  struct Reading {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (size bounds + 1)
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Reading Read() const;

  // 50 µs … 1 s, for request and commit latencies.
  static std::vector<double> LatencyBounds();

 private:
  std::vector<double> bounds_;
  std::vector<std::int64_t> bounds_ns_;
  std::size_t stride_;  // atomics per slot: buckets (+Inf included) and the sum, padded
  std::unique_ptr<std::atomic<std::uint64_t>[]> cells_;
};

}  // namespace gatehouse

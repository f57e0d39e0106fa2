#include "core/instruments.h"

#include <algorithm>

namespace gatehouse {

namespace instruments_detail {
std::size_t ThreadSlot() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t slot = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return slot;
}
}  // namespace instruments_detail

namespace {
constexpr std::size_t kPerLine = 64 / sizeof(std::atomic<std::uint64_t>);
}

Histogram::Histogram(std::vector<double> bounds_seconds) : bounds_(std::move(bounds_seconds)) {
  std::sort(bounds_.begin(), bounds_.end());
  for (double b : bounds_) bounds_ns_.push_back(static_cast<std::int64_t>(b * 1e9));
  const std::size_t used = bounds_.size() + 2;  // buckets, +Inf, sum
  stride_ = (used + kPerLine - 1) / kPerLine * kPerLine;
  cells_ = std::make_unique<std::atomic<std::uint64_t>[]>(stride_ * instruments_detail::kSlots);
  for (std::size_t i = 0; i < stride_ * instruments_detail::kSlots; ++i) cells_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(std::int64_t nanoseconds) {
  if (nanoseconds < 0) nanoseconds = 0;
  const std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_ns_.begin(), bounds_ns_.end(), nanoseconds) - bounds_ns_.begin());
  std::atomic<std::uint64_t>* row = &cells_[instruments_detail::ThreadSlot() * stride_];
  row[bucket].fetch_add(1, std::memory_order_relaxed);
  row[bounds_.size() + 1].fetch_add(static_cast<std::uint64_t>(nanoseconds), std::memory_order_relaxed);
}

Histogram::Reading Histogram::Read() const {
  Reading r;
  r.bounds = bounds_;
  std::vector<std::uint64_t> per_bucket(bounds_.size() + 1, 0);
  std::uint64_t sum_ns = 0;
  for (std::size_t s = 0; s < instruments_detail::kSlots; ++s) {
    const std::atomic<std::uint64_t>* row = &cells_[s * stride_];
    for (std::size_t b = 0; b < per_bucket.size(); ++b) per_bucket[b] += row[b].load(std::memory_order_relaxed);
    sum_ns += row[bounds_.size() + 1].load(std::memory_order_relaxed);
  }
  std::uint64_t running = 0;
  for (std::uint64_t n : per_bucket) {
    running += n;
    r.cumulative.push_back(running);
  }
  r.count = running;
  r.sum_seconds = static_cast<double>(sum_ns) / 1e9;
  return r;
}

std::vector<double> Histogram::LatencyBounds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
}

}  // namespace gatehouse

#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace gatehouse {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(std::max(0.0, per_second)), burst_(std::max(1.0, burst)) {}

double RateLimiter::Refilled(const Bucket& b, Timestamp now_ms) const {
  const double elapsed_s = static_cast<double>(std::max<Timestamp>(0, now_ms - b.updated_ms)) / 1000.0;
  return std::min(burst_, b.tokens + elapsed_s * per_second_);
}

std::size_t RateLimiter::TrackedKeys() {
  std::size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

bool RateLimiter::Admit(std::string_view key, Timestamp now_ms, std::int64_t* retry_after_ms) {
  if (!enabled()) return true;
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  // Every kSweepEvery requests, drop the shard's buckets that have refilled completely:
  // they hold no state. Amortized O(1) per request.
  if (++shard.admits_since_sweep >= kSweepEvery) {
    shard.admits_since_sweep = 0;
    std::erase_if(shard.buckets, [&](const auto& kv) { return Refilled(kv.second, now_ms) >= burst_; });
  }
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) it = shard.buckets.emplace(std::string(key), Bucket{burst_, now_ms}).first;
  Bucket& b = it->second;
  b.tokens = Refilled(b, now_ms);
  b.updated_ms = std::max(b.updated_ms, now_ms);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  *retry_after_ms = static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_second_ * 1000.0));
  return false;
}

}  // namespace gatehouse

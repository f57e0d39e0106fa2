// RateLimiter: a token bucket per key (the account an account key belongs to), so one
// tenant's burst cannot take every worker from the others. A bucket holds up to `burst`
// tokens and refills at `per_second`; each admitted request takes one. When it is empty
// the request is refused with the time until the next token (HTTP 429 + Retry-After).
//
// per_second == 0 turns limiting off (Admit always admits, without locking). Buckets are
// kept per key in 64 mutex-guarded shards; every 1024 requests a shard drops its buckets
// that have refilled completely, so memory follows the accounts that are busy right now.
//
// Thread safety: Admit may be called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace gatehouse {

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst);

  bool enabled() const { return per_second_ > 0; }

  // True when `key` may make a request at `now_ms`; else false and *retry_after_ms says
  // how long until it may.
  bool Admit(std::string_view key, Timestamp now_ms, std::int64_t* retry_after_ms);

  // Keys with a bucket right now (for tests and metrics).
  std::size_t TrackedKeys();

 private:
  struct Bucket {
    double tokens = 0;
    Timestamp updated_ms = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    std::size_t admits_since_sweep = 0;
  };
  static constexpr std::size_t kShards = 64;
  static constexpr std::size_t kSweepEvery = 1024;

  double Refilled(const Bucket& b, Timestamp now_ms) const;

  double per_second_;
  double burst_;
  std::array<Shard, kShards> shards_;
};

}  // namespace gatehouse

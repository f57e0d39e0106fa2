// Time for Gatehouse: a Timestamp is milliseconds since the Unix epoch, UTC. The Clock
// interface is the seam through which every layer asks for "now", so tests can move time
// (ManualClock) and decisions about time-bound assignments stay deterministic.
//
// Thread safety: SystemClock is stateless; ManualClock is safe for concurrent Now() while
// one thread moves it (the value is atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse {

using Timestamp = std::int64_t;  // ms since epoch, UTC

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override { return now_.load(std::memory_order_relaxed); }
  void Set(Timestamp t) { now_.store(t, std::memory_order_relaxed); }
  void Advance(Timestamp delta_ms) { now_.fetch_add(delta_ms, std::memory_order_relaxed); }

 private:
  std::atomic<Timestamp> now_;
};

// RFC 3339 in UTC: "2026-03-01T09:00:00Z", with ".mmm" only when milliseconds are set.
std::string FormatRfc3339(Timestamp t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)". Returns nullopt on anything else.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

// Parses a duration such as "168h", "30m", "45s", "1h30m", "500ms". nullopt when invalid.
std::optional<std::int64_t> ParseDurationMs(std::string_view text);

}  // namespace gatehouse

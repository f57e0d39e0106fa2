#include "app/watchdog.h"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace gatehouse {

bool Watchdog::Start() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return false;
  thread_ = std::thread([this, usec] { Run(std::chrono::microseconds(usec)); });
  return true;
}

void Watchdog::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::Run(std::chrono::microseconds period) {
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(period / 2);
  const auto timeout =
      std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(period / 4));
  std::uint64_t failures = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    const bool healthy = probe_(timeout);
    if (healthy) {
      sd_notify(0, "WATCHDOG=1");
      failures = 0;
    } else if (failures++ % 10 == 0 && log_) {
      log_("watchdog: the API listener did not answer a probe within " + std::to_string(timeout.count()) +
           " ms; not telling systemd the daemon is alive");
    }
    lock.lock();
    cv_.wait_until(lock, started + interval, [this] { return stopping_; });
  }
}

}  // namespace gatehouse

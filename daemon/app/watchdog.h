// Watchdog: systemd's WatchdogSec= for gatehoused. When systemd asks for a watchdog
// (WATCHDOG_USEC in the environment, see sd_watchdog_enabled(3)), a thread sends
// WATCHDOG=1 every half period — but only after `probe` succeeds: a real request through
// the API listener and its worker pool, answered within a quarter of the period. A pool
// wedged by clients, a deadlock on the serving path or a stuck accept loop stops the
// pings, and systemd restarts the daemon; a mere live process does not keep it alive.
//
// Probe failures are logged (rate-limited to one line per ten failures) through `log`.
//
// Thread safety: Start and Stop from one thread; the probe runs on the watchdog thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gatehouse {

class Watchdog {
 public:
  using Probe = std::function<bool(std::chrono::milliseconds timeout)>;
  using Log = std::function<void(const std::string& message)>;

  Watchdog(Probe probe, Log log) : probe_(std::move(probe)), log_(std::move(log)) {}
  ~Watchdog() { Stop(); }

  // Returns false (and does nothing) when systemd asked for no watchdog.
  bool Start();
  void Stop();

 private:
  void Run(std::chrono::microseconds period);

  Probe probe_;
  Log log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gatehouse

// Metrics: named counters and gauges with optional labels, rendered in the Prometheus
// text format for GET /metrics. Series are created on first use; a name is declared once
// with its type and help text (Describe), or defaults to an undocumented counter/gauge.
//
// Series names include their labels, written as Prometheus does:
//   metrics.Add("gatehouse_notifier_delivered_total{notifier=\"webhook\"}", 3);
//
// Thread safety: all methods may be called concurrently. Updates take one mutex and a
// map lookup: fine for per-write and per-delivery events; the per-check hot path keeps
// its own atomics and publishes them through a collector callback.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

class Metrics {
 public:
  enum class Type { kCounter, kGauge };

  void Describe(std::string name, Type type, std::string help);
  void Add(std::string_view series, double delta = 1);
  void Set(std::string_view series, double value);
  double Get(std::string_view series) const;  // 0 when absent

  // A callback run at render time to Set gauges (or counters) read from elsewhere.
  void AddCollector(std::function<void(Metrics&)> collector);

  std::string RenderPrometheus();

 private:
  struct Family {
    Type type = Type::kCounter;
    std::string help;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::map<std::string, double, std::less<>> series_;
  std::vector<std::function<void(Metrics&)>> collectors_;
};

// `name{key="value"}` with the value escaped for the exposition format.
std::string Series(std::string_view name, std::string_view key, std::string_view value);

}  // namespace gatehouse

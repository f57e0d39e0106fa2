// Metrics: named counters and gauges with optional labels, rendered in the Prometheus
// text format for GET /metrics. Series are created on first use; a name is declared once
// with its type and help text (Describe), or defaults to an undocumented counter/gauge.
//
// Series names include their labels, written as Prometheus does:
//   metrics.Add("gatehouse_notifier_delivered_total{notifier=\"webhook\"}", 3);
//
// Hot paths use instruments (core/instruments.h: a ShardedCounter or a Histogram, no lock)
// registered once with AddCounter / AddHistogram; they are read only when rendered.
//
// Thread safety: all methods may be called concurrently. Add/Set take one mutex and a
// map lookup: fine for per-write and per-delivery events, not for per-request ones.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/instruments.h"

namespace gatehouse {

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  void Describe(std::string name, Type type, std::string help);
  void Add(std::string_view series, double delta = 1);
  void Set(std::string_view series, double value);
  double Get(std::string_view series) const;  // 0 when absent

  // A callback run at render time to Set gauges (or counters) read from elsewhere.
  void AddCollector(std::function<void(Metrics&)> collector);

  // Instruments, created on first request and shared after (two listeners serving one
  // route count into one series); read at render time. `series` is the whole series
  // name with its labels; `labels` is what goes inside the braces
  // (`route="/v1/check",method="POST"`, or empty) — `le` is added per bucket.
  std::shared_ptr<ShardedCounter> Counter(const std::string& series);
  std::shared_ptr<Histogram> HistogramOf(const std::string& name, const std::string& labels,
                                         const std::vector<double>& bounds_seconds);

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
  std::map<std::string, std::shared_ptr<ShardedCounter>, std::less<>> counters_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Histogram>> histograms_;
};

// `name{key="value"}` with the value escaped for the exposition format.
std::string Series(std::string_view name, std::string_view key, std::string_view value);
// `k1="v1",k2="v2"` (no braces), values escaped.
std::string LabelList(std::initializer_list<std::pair<std::string_view, std::string_view>> labels);

}  // namespace gatehouse

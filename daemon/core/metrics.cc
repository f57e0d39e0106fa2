#include "core/metrics.h"

#include <cstdio>
#include <map>

namespace gatehouse {

void Metrics::Describe(std::string name, Type type, std::string help) {
  std::lock_guard lock(mu_);
  families_[std::move(name)] = Family{type, std::move(help)};
}

void Metrics::Add(std::string_view series, double delta) {
  std::lock_guard lock(mu_);
  auto it = series_.find(series);
  if (it == series_.end()) it = series_.emplace(std::string(series), 0.0).first;
  it->second += delta;
}

void Metrics::Set(std::string_view series, double value) {
  std::lock_guard lock(mu_);
  auto it = series_.find(series);
  if (it == series_.end()) it = series_.emplace(std::string(series), 0.0).first;
  it->second = value;
}

double Metrics::Get(std::string_view series) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(series);
  return it == series_.end() ? 0.0 : it->second;
}

void Metrics::AddCollector(std::function<void(Metrics&)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::shared_ptr<ShardedCounter> Metrics::Counter(const std::string& series) {
  std::lock_guard lock(mu_);
  auto& c = counters_[series];
  if (!c) c = std::make_shared<ShardedCounter>();
  return c;
}

std::shared_ptr<Histogram> Metrics::HistogramOf(const std::string& name, const std::string& labels,
                                                const std::vector<double>& bounds_seconds) {
  std::lock_guard lock(mu_);
  auto& h = histograms_[{name, labels}];
  if (!h) h = std::make_shared<Histogram>(bounds_seconds);
  return h;
}

namespace {

std::string Number(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

std::string WithLabels(const std::string& name, const std::string& labels, const std::string& extra = "") {
  if (labels.empty() && extra.empty()) return name;
  return name + "{" + labels + (labels.empty() || extra.empty() ? "" : ",") + extra + "}";
}

}  // namespace

std::string Metrics::RenderPrometheus() {
  std::vector<std::function<void(Metrics&)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  for (auto& c : collectors) c(*this);
  std::lock_guard lock(mu_);
  // Every line, by family, so each family's lines follow its HELP and TYPE together.
  std::map<std::string, std::vector<std::string>> lines;
  for (const auto& [series, value] : series_) {
    lines[series.substr(0, series.find('{'))].push_back(series + " " + Number(value));
  }
  for (const auto& [series, counter] : counters_) {
    lines[series.substr(0, series.find('{'))].push_back(series + " " + std::to_string(counter->Value()));
  }
  for (const auto& [key, histogram] : histograms_) {
    const auto& [name, labels] = key;
    const Histogram::Reading r = histogram->Read();
    auto& out = lines[name];
    for (std::size_t i = 0; i < r.cumulative.size(); ++i) {
      const std::string le = i < r.bounds.size() ? Number(r.bounds[i]) : "+Inf";
      out.push_back(WithLabels(name + "_bucket", labels, "le=\"" + le + "\"") + " " + std::to_string(r.cumulative[i]));
    }
    out.push_back(WithLabels(name + "_sum", labels) + " " + Number(r.sum_seconds));
    out.push_back(WithLabels(name + "_count", labels) + " " + std::to_string(r.count));
  }
  // A described family is listed even before its first sample (HELP and TYPE only).
  for (const auto& [name, family] : families_) lines[name];
  std::string out;
  for (const auto& [name, family_lines] : lines) {
    auto fam = families_.find(name);
    if (fam != families_.end()) {
      const char* type = fam->second.type == Type::kCounter ? "counter"
                         : fam->second.type == Type::kGauge ? "gauge"
                                                            : "histogram";
      out += "# HELP " + name + " " + fam->second.help + "\n";
      out += "# TYPE " + name + " " + type + "\n";
    }
    for (const auto& line : family_lines) out += line + "\n";
  }
  return out;
}

std::string LabelList(std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ",";
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  return out;
}

std::string Series(std::string_view name, std::string_view key, std::string_view value) {
  return std::string(name) + "{" + LabelList({{key, value}}) + "}";
}

}  // namespace gatehouse

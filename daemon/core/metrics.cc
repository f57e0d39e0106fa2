#include "core/metrics.h"

#include <cstdio>

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

std::string Metrics::RenderPrometheus() {
  std::vector<std::function<void(Metrics&)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  for (auto& c : collectors) c(*this);
  std::lock_guard lock(mu_);
  std::string out;
  std::string current;
  for (const auto& [series, value] : series_) {
    const std::string name = series.substr(0, series.find('{'));
    if (name != current) {
      current = name;
      auto fam = families_.find(name);
      if (fam != families_.end()) {
        out += "# HELP " + name + " " + fam->second.help + "\n";
        out += "# TYPE " + name + (fam->second.type == Type::kCounter ? " counter\n" : " gauge\n");
      }
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    out += series + " " + buf + "\n";
  }
  return out;
}

std::string Series(std::string_view name, std::string_view key, std::string_view value) {
  std::string out(name);
  out += "{";
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
  out += "\"}";
  return out;
}

}  // namespace gatehouse

#include "app/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace gatehouse {
namespace {

// The fields of /proc/self/stat after the command name (which may hold spaces), so that
// field N of proc(5) is fields[N - 3].
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(text.substr(close + 2));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

}  // namespace

void AddProcessMetrics(Metrics& metrics, const std::string& version) {
  metrics.Describe("process_cpu_seconds_total", Metrics::Type::kCounter, "User and system CPU time spent, in seconds");
  metrics.Describe("process_resident_memory_bytes", Metrics::Type::kGauge, "Resident memory size in bytes");
  metrics.Describe("process_virtual_memory_bytes", Metrics::Type::kGauge, "Virtual memory size in bytes");
  metrics.Describe("process_open_fds", Metrics::Type::kGauge, "Open file descriptors");
  metrics.Describe("process_max_fds", Metrics::Type::kGauge, "The open file descriptor limit");
  metrics.Describe("process_start_time_seconds", Metrics::Type::kGauge,
                   "Start time of the process since the Unix epoch, in seconds");
  metrics.Describe("gatehouse_build_info", Metrics::Type::kGauge, "Always 1; the labels name the build");
  metrics.Set(Series("gatehouse_build_info", "version", version), 1);
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // The start time is taken now, at start-up, from the wall clock: /proc/stat (boot time)
  // is hidden from the service by the unit's ProcSubset=pid.
  metrics.Set("process_start_time_seconds",
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  metrics.AddCollector([ticks, page](Metrics& m) {
    const auto f = StatFields();
    if (f.size() > 21) {
      m.Set("process_cpu_seconds_total", (std::stod(f[11]) + std::stod(f[12])) / ticks);  // utime, stime
      m.Set("process_virtual_memory_bytes", std::stod(f[20]));                            // vsize
      m.Set("process_resident_memory_bytes", std::stod(f[21]) * page);                    // rss (pages)
    }
    std::error_code ec;
    double fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++fds;
    }
    m.Set("process_open_fds", fds);
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) m.Set("process_max_fds", static_cast<double>(limit.rlim_cur));
  });
}

}  // namespace gatehouse

// The standard process_* families (as Prometheus' own clients name them) and
// gatehouse_build_info, read from /proc on each scrape.
#pragma once

#include <string>

#include "core/metrics.h"

namespace gatehouse {

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds; and
// gatehouse_build_info{version} 1.
void AddProcessMetrics(Metrics& metrics, const std::string& version);

}  // namespace gatehouse

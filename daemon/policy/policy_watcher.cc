#include "policy/policy_watcher.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <system_error>
#include <vector>

namespace gatehouse {

PolicyWatcher::PolicyWatcher(std::string dir) : dir_(std::move(dir)) {
  reloaded_ = Fingerprint(dir_);
  last_seen_ = reloaded_;
}

bool PolicyWatcher::Poll() {
  const std::uint64_t now = Fingerprint(dir_);
  const bool settled = now == last_seen_;
  last_seen_ = now;
  return settled && now != reloaded_;
}

void PolicyWatcher::Reloaded() {
  reloaded_ = Fingerprint(dir_);
  last_seen_ = reloaded_;
}

std::uint64_t PolicyWatcher::Fingerprint(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> entries;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec);
  if (ec) return 1;  // missing or unreadable: one fixed value, so its return is a change
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return 2;
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec) || file_ec) continue;
    const auto size = it->file_size(file_ec);
    const auto mtime = it->last_write_time(file_ec);
    if (file_ec) continue;  // removed while we looked: the next poll sees the result
    entries.push_back(fs::relative(it->path(), dir, file_ec).string() + '\0' + std::to_string(size) + '\0' +
                      std::to_string(mtime.time_since_epoch().count()));
  }
  std::sort(entries.begin(), entries.end());
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the sorted entries
  for (const auto& e : entries) {
    h = (h ^ std::hash<std::string>{}(e)) * 1099511628211ULL;
  }
  return h;
}

}  // namespace gatehouse

#include "policy/policy_watcher.h"

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <system_error>
#include <vector>

#include "policy/policy_files.h"

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
  // The same walk a load does, so a loop or a dangling link is a fingerprint (its error
  // text) rather than a crash, and its repair is a change.
  const PolicyFileList listed = ListPolicyFiles(dir);
  std::vector<std::string> entries;
  for (const auto& e : listed.errors) entries.push_back("!" + e.ToString());
  for (const auto& path : listed.files) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // removed while we looked: the next poll sees it
    entries.push_back(path + '\0' + std::to_string(st.st_size) + '\0' + std::to_string(st.st_mtim.tv_sec) + '.' +
                      std::to_string(st.st_mtim.tv_nsec));
  }
  std::sort(entries.begin(), entries.end());
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a over the sorted entries
  for (const auto& e : entries) {
    h = (h ^ std::hash<std::string>{}(e)) * 1099511628211ULL;
  }
  return h;
}

}  // namespace gatehouse

// PolicyWatcher: notices that files under the policy directory changed (policies.watch),
// by polling. Each Poll() takes a fingerprint of the tree — every regular file's relative
// path, size and modification time — and answers true once a change has settled: the
// fingerprint differs from the one last reloaded and has stayed the same for one poll, so
// an editor's half-written save or a `cp -r` in progress is not reloaded midway.
//
// Polling rather than inotify: it needs no watch per subdirectory (accounts/<id>/ come and
// go), survives the directory being replaced by a symlink swap, and costs a few stat()s per
// second for a policy tree of a few hundred files.
//
// Thread safety: one thread (the daemon's main loop) owns it.
#pragma once

#include <cstdint>
#include <string>

namespace gatehouse {

class PolicyWatcher {
 public:
  explicit PolicyWatcher(std::string dir);

  // True when the tree changed since the last Reloaded()/construction and has settled.
  bool Poll();
  // Records the tree as it is now as the reloaded state (call before reloading, so a
  // change made during the reload is noticed by the next polls).
  void Reloaded();

  // The fingerprint of `dir` now (exposed for tests). An unreadable tree has one too.
  static std::uint64_t Fingerprint(const std::string& dir);

 private:
  std::string dir_;
  std::uint64_t reloaded_;
  std::uint64_t last_seen_;
};

}  // namespace gatehouse

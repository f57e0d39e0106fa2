// The policy directory on disk: which files a load reads, and reading one.
//
// ListPolicyFiles walks the directory tree and returns every *.yaml / *.yml file, sorted by
// path. It follows symlinks (a policy tree assembled from links, or a Kubernetes ConfigMap
// mount, works) and skips entries whose name starts with '.' (editor swap files, ConfigMap's
// `..data` twin of every file). Everything that would make the answer wrong or endless is
// an error naming the path: a symlink loop (a link back to a directory that contains it),
// a dangling *.yaml link, an unreadable directory, a tree deeper than 32 levels.
//
// Every problem found is reported (the walk goes on past it), each with its path.
//
// ReadPolicyFile reads one file whole: an unreadable file is an error with the system's
// reason ("Permission denied"), and so is a file larger than `max_bytes`.
//
// Neither throws. Thread safety: pure functions (they read the filesystem).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/policy_compiler.h"

namespace gatehouse {

struct PolicyFileList {
  std::vector<std::string> files;   // sorted
  std::vector<PolicyError> errors;  // where = the path (no line), message = what is wrong
  bool ok() const { return errors.empty(); }
};
PolicyFileList ListPolicyFiles(const std::string& dir);

Result<std::string> ReadPolicyFile(const std::string& path, std::size_t max_bytes = 4u << 20);

}  // namespace gatehouse

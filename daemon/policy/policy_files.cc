#include "policy/policy_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace gatehouse {
namespace {

constexpr int kMaxDepth = 32;

bool IsPolicyFileName(const std::string& name) {
  auto ends_with = [&](const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    return name.size() > n && name.compare(name.size() - n, n, suffix) == 0;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

std::string Reason(int err) { return std::strerror(err); }

std::string LinkTarget(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n < 0 ? std::string("?") : std::string(buf, static_cast<std::size_t>(n));
}

struct DirId {
  dev_t dev;
  ino_t ino;
  std::string path;
};

class Walker {
 public:
  void Walk(const std::string& dir, const struct stat& st, int depth) {
    if (depth > kMaxDepth) return Fail(dir, "nested deeper than " + std::to_string(kMaxDepth) + " directory levels");
    for (const auto& a : ancestors_) {
      if (a.dev == st.st_dev && a.ino == st.st_ino) {
        return Fail(dir, "symlink loop: leads back to " + a.path + ", which contains it");
      }
    }
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return Fail(dir, "cannot read directory: " + Reason(errno));
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    }
    const int read_errno = errno;
    ::closedir(d);
    if (read_errno != 0) return Fail(dir, "cannot read directory: " + Reason(read_errno));
    std::sort(names.begin(), names.end());
    ancestors_.push_back(DirId{st.st_dev, st.st_ino, dir});
    for (const auto& name : names) Entry(dir + "/" + name, name, depth);
    ancestors_.pop_back();
  }

  PolicyFileList out;

 private:
  void Fail(const std::string& path, std::string message) {
    out.errors.push_back(PolicyError{SourceLocation{path, 0, 0}, std::move(message)});
  }

  void Entry(const std::string& path, const std::string& name, int depth) {
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0) {
      if (errno == ENOENT) return;  // removed while we looked
      return Fail(path, "cannot read: " + Reason(errno));
    }
    struct stat st = lst;
    if (S_ISLNK(lst.st_mode) && ::stat(path.c_str(), &st) != 0) {
      const int err = errno;
      if (err == ELOOP) return Fail(path, "symlink loop (-> " + LinkTarget(path) + ")");
      if (IsPolicyFileName(name))
        return Fail(path, "dangling symlink (-> " + LinkTarget(path) + ": " + Reason(err) + ")");
      return;  // a broken link that names no policy file is not ours to judge
    }
    if (S_ISDIR(st.st_mode)) return Walk(path, st, depth + 1);
    if (IsPolicyFileName(name)) {
      if (!S_ISREG(st.st_mode)) return Fail(path, "not a regular file");
      out.files.push_back(path);
    }
  }

  std::vector<DirId> ancestors_;
};

}  // namespace

PolicyFileList ListPolicyFiles(const std::string& dir) {
  PolicyFileList out;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    const int err = errno;
    out.errors.push_back({SourceLocation{dir, 0, 0}, err == ENOENT ? "policy directory does not exist"
                                                                   : "cannot read policy directory: " + Reason(err)});
    return out;
  }
  if (!S_ISDIR(st.st_mode)) {
    out.errors.push_back({SourceLocation{dir, 0, 0}, "policy directory is not a directory"});
    return out;
  }
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  Walker walker;
  walker.Walk(root, st, 0);
  std::sort(walker.out.files.begin(), walker.out.files.end());
  return std::move(walker.out);
}

Result<std::string> ReadPolicyFile(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot read file: " + Reason(errno));
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Unavailable("cannot read file: " + Reason(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      ::close(fd);
      return InvalidArgument("file is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return text;
}

}  // namespace gatehouse

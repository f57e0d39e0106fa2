// Header-only C++20 layer over the C plugin ABI (plugin.h). A plugin author derives from
// StoragePlugin or NotifierPlugin, implements the virtual functions with ordinary C++
// (std::string_view in, exceptions allowed), and exports a descriptor with
// GH_DEFINE_STORAGE_PLUGIN / GH_DEFINE_NOTIFIER_PLUGIN. The generated C functions form an
// exception barrier: any exception becomes an error status with its what() as message.
//
// Throw PluginError(status, message) to choose the status; any other exception becomes
// GH_ERR_INTERNAL. Ownership and threading are those of plugin.h.
#ifndef GATEHOUSE_PLUGIN_HPP_
#define GATEHOUSE_PLUGIN_HPP_

#include <gatehouse/plugin.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::sdk {

inline std::string_view View(gh_str s) { return {s.data == nullptr ? "" : s.data, s.len}; }
inline gh_str Str(std::string_view s) { return gh_str{s.data(), s.size()}; }

inline void SetError(gh_error* err, std::string_view message) {
  if (err == nullptr) return;
  const std::size_t n = std::min(message.size(), sizeof(err->message) - 1);
  std::memcpy(err->message, message.data(), n);
  err->message[n] = '\0';
}

// An event time (ms since the Unix epoch) as RFC 3339 UTC, "2026-03-01T09:00:00Z" — the
// form Gatehouse uses on the wire.
inline std::string FormatRfc3339Utc(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// An error with a chosen ABI status.
class PluginError : public std::runtime_error {
 public:
  PluginError(gh_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  gh_status status() const { return status_; }

 private:
  gh_status status_;
};

// Runs fn, turning exceptions into statuses. fn returns gh_status or void (→ GH_OK).
template <typename F>
gh_status Guard(gh_error* err, F&& fn) noexcept {
  try {
    if constexpr (std::is_void_v<decltype(fn())>) {
      fn();
      return GH_OK;
    } else {
      return fn();
    }
  } catch (const PluginError& e) {
    SetError(err, e.what());
    return e.status();
  } catch (const std::exception& e) {
    SetError(err, e.what());
    return GH_ERR_INTERNAL;
  } catch (...) {
    SetError(err, "unknown exception");
    return GH_ERR_INTERNAL;
  }
}

// Validated options (the host filled in defaults), by name.
class Options {
 public:
  Options() = default;
  Options(const gh_option* options, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
      values_[std::string(View(options[i].name))] = std::string(View(options[i].value));
  }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  std::int64_t GetInt(const std::string& name, std::int64_t fallback = 0) const {
    auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? fallback : std::stoll(it->second);
  }
  // A GH_OPT_DURATION option in milliseconds. The host validates durations ("1h30m",
  // "250ms") with its own parser and hands them over as whole milliseconds ("5400000ms"),
  // so plugins never parse the human form themselves.
  std::int64_t GetDurationMs(const std::string& name, std::int64_t fallback = 0) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return fallback;
    const std::string& v = it->second;
    const std::size_t digits = v.find_first_not_of("0123456789");
    if (digits == 0 || (digits != std::string::npos && v.compare(digits, std::string::npos, "ms") != 0)) {
      throw PluginError(GH_ERR_INVALID_ARGUMENT,
                        "option \"" + name + "\": expected <n>ms from the host, got \"" + v + "\"");
    }
    return std::stoll(v.substr(0, digits));
  }
  bool GetBool(const std::string& name, bool fallback = false) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return fallback;
    return it->second == "true" || it->second == "1" || it->second == "yes";
  }
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// The host as a plugin sees it.
class Host {
 public:
  explicit Host(const gh_host_api* api) : api_(api) {}
  void Log(int32_t level, std::string_view message) const {
    if (api_ != nullptr && api_->log != nullptr) api_->log(api_->host_ctx, level, Str(message));
  }

 private:
  const gh_host_api* api_;
};

// A record as the C++ layer passes it. Views are borrowed for the call.
struct Record {
  std::uint64_t revision = 0;
  std::string_view type, account_id, actor;
  std::int64_t at_ms = 0;
  std::string_view payload;
};
inline Record FromC(const gh_record& r) {
  return {r.revision, View(r.type), View(r.account_id), View(r.actor), r.at_ms, View(r.payload)};
}
inline gh_record ToC(const Record& r) {
  return {sizeof(gh_record), r.revision, Str(r.type), Str(r.account_id), Str(r.actor), r.at_ms, Str(r.payload)};
}

// Base class of storage plugins: the change log (plugin.h documents each contract).
class StoragePlugin {
 public:
  using Sink = std::function<void(const Record&)>;  // throws to stop
  virtual ~StoragePlugin() = default;
  virtual std::uint64_t Load(const Sink& sink) = 0;
  // Throw PluginError(GH_ERR_CONFLICT, ...) when the head is not expected_head.
  virtual std::uint64_t Append(const std::vector<Record>& records, std::uint64_t expected_head) = 0;
  virtual std::size_t ReadSince(std::uint64_t since, std::size_t limit, const Sink& sink) = 0;
  virtual std::uint64_t Head() = 0;
  virtual std::optional<std::string> CursorGet(std::string_view name) = 0;
  virtual void CursorPut(std::string_view name, std::string_view value) = 0;
  virtual void Compact() {}
  // ABI 1.1: the backend's gauges, name → value ("wal_bytes"); empty by default.
  virtual std::vector<std::pair<std::string, double>> Metrics() { return {}; }
  // ABI 1.2, for logs shared by several daemons. A plugin that overrides these sets
  // kShared = true in its class (the table then offers wait_for_changes and the leases);
  // otherwise they stay NULL and the host treats the instance as the only writer.
  static constexpr bool kShared = false;
  // Returns once the head is past `since` or after about timeout_ms: the head last seen.
  virtual std::uint64_t WaitForChanges(std::uint64_t since, std::uint32_t /*timeout_ms*/) { return since; }
  // Takes or confirms the named lease: true when this instance holds it.
  virtual bool TryLease(std::string_view /*name*/) { return true; }
  virtual void ReleaseLease(std::string_view /*name*/) {}
  // ABI 1.3, snapshots (plugin.h documents each contract). A plugin that overrides these
  // sets kSnapshots = true in its class; otherwise the entries stay NULL.
  static constexpr bool kSnapshots = false;
  struct SnapshotInfo {
    std::uint64_t revision = 0;
    std::int64_t taken_at_ms = 0;
    std::uint64_t bytes = 0;
  };
  virtual void SnapshotPut(std::uint64_t /*revision*/, std::int64_t /*taken_at_ms*/,
                           const std::vector<std::string_view>& /*chunks*/) {
    throw PluginError(GH_ERR_INTERNAL, "snapshots are not implemented");
  }
  // Oldest first; *forgotten_through as plugin.h says.
  virtual std::vector<SnapshotInfo> SnapshotList(std::uint64_t* forgotten_through) {
    *forgotten_through = 0;
    return {};
  }
  // Calls `chunk` for each chunk in order; throw PluginError(GH_ERR_NOT_FOUND) when absent.
  virtual void SnapshotRead(std::uint64_t /*revision*/, const std::function<void(std::string_view)>& /*chunk*/) {
    throw PluginError(GH_ERR_NOT_FOUND, "no such snapshot");
  }
  virtual void ForgetHistory(std::uint64_t /*through*/) {
    throw PluginError(GH_ERR_INTERNAL, "snapshots are not implemented");
  }
  virtual void SnapshotDrop(std::uint64_t /*revision*/) {
    throw PluginError(GH_ERR_INTERNAL, "snapshots are not implemented");
  }
};

class NotifierPlugin {
 public:
  struct Event {
    std::uint64_t revision = 0;
    std::string_view type, account_id, actor;
    std::int64_t at_ms = 0;
    std::string_view data_json;
  };
  virtual ~NotifierPlugin() = default;
  // Return GH_OK, GH_ERR_RETRYABLE or GH_ERR_PERMANENT (or throw PluginError).
  virtual gh_status Deliver(const std::vector<Event>& events, std::string* error) = 0;
};

namespace detail {

// Carries a host sink's failure status through a C++ exception.
struct SinkStopped {
  gh_status status;
};

inline StoragePlugin::Sink MakeSink(gh_record_sink sink, void* ctx) {
  return [sink, ctx](const Record& r) {
    gh_record c = ToC(r);
    gh_status st = sink(ctx, &c);
    if (st != GH_OK) throw SinkStopped{st};
  };
}

template <typename F>
gh_status GuardSink(gh_error* err, F&& fn) noexcept {
  try {
    return Guard(err, [&]() -> gh_status {
      try {
        fn();
        return GH_OK;
      } catch (const SinkStopped& s) {
        SetError(err, "stopped by the host");
        return s.status;
      }
    });
  } catch (...) {
    return GH_ERR_INTERNAL;
  }
}

template <typename T>
struct StorageThunks {
  static T* Self(gh_storage* s) { return reinterpret_cast<T*>(s); }
  static gh_status Create(const gh_host_api* host, const gh_option* options, size_t n, gh_storage** out,
                          gh_error* err) {
    return Guard(err, [&] {
      auto instance = T::Create(Host(host), Options(options, n));
      *out = reinterpret_cast<gh_storage*>(instance.release());
    });
  }
  static void Destroy(gh_storage* self) { delete Self(self); }
  static gh_status Load(gh_storage* self, gh_record_sink sink, void* ctx, uint64_t* head, gh_error* err) {
    return GuardSink(err, [&] { *head = Self(self)->Load(MakeSink(sink, ctx)); });
  }
  static gh_status Append(gh_storage* self, const gh_record* records, size_t count, uint64_t expected_head,
                          uint64_t* new_head, gh_error* err) {
    return Guard(err, [&] {
      std::vector<Record> rs;
      rs.reserve(count);
      for (size_t i = 0; i < count; ++i) rs.push_back(FromC(records[i]));
      *new_head = Self(self)->Append(rs, expected_head);
    });
  }
  static gh_status ReadSince(gh_storage* self, uint64_t since, size_t limit, gh_record_sink sink, void* ctx,
                             size_t* count, gh_error* err) {
    return GuardSink(err, [&] { *count = Self(self)->ReadSince(since, limit, MakeSink(sink, ctx)); });
  }
  static gh_status Head(gh_storage* self, uint64_t* head, gh_error* err) {
    return Guard(err, [&] { *head = Self(self)->Head(); });
  }
  static gh_status CursorGet(gh_storage* self, gh_str name, gh_value_sink sink, void* ctx, gh_error* err) {
    return Guard(err, [&]() -> gh_status {
      auto v = Self(self)->CursorGet(View(name));
      if (!v) return GH_ERR_NOT_FOUND;
      sink(ctx, Str(*v));
      return GH_OK;
    });
  }
  static gh_status CursorPut(gh_storage* self, gh_str name, gh_str value, gh_error* err) {
    return Guard(err, [&] { Self(self)->CursorPut(View(name), View(value)); });
  }
  static gh_status Compact(gh_storage* self, gh_error* err) {
    return Guard(err, [&] { Self(self)->Compact(); });
  }
  static gh_status Metrics(gh_storage* self, gh_metric_sink sink, void* ctx, gh_error* err) {
    return Guard(err, [&] {
      for (const auto& [name, value] : Self(self)->Metrics()) sink(ctx, Str(name), value);
    });
  }
  static gh_status WaitForChanges(gh_storage* self, uint64_t since, uint32_t timeout_ms, uint64_t* head,
                                  gh_error* err) {
    return Guard(err, [&] { *head = Self(self)->WaitForChanges(since, timeout_ms); });
  }
  static gh_status TryLease(gh_storage* self, gh_str name, int32_t* held, gh_error* err) {
    return Guard(err, [&] { *held = Self(self)->TryLease(View(name)) ? 1 : 0; });
  }
  static gh_status ReleaseLease(gh_storage* self, gh_str name, gh_error* err) {
    return Guard(err, [&] { Self(self)->ReleaseLease(View(name)); });
  }
  static gh_status SnapshotPut(gh_storage* self, uint64_t revision, int64_t taken_at_ms, const gh_str* chunks,
                               size_t count, gh_error* err) {
    return Guard(err, [&] {
      std::vector<std::string_view> views;
      views.reserve(count);
      for (size_t i = 0; i < count; ++i) views.push_back(View(chunks[i]));
      Self(self)->SnapshotPut(revision, taken_at_ms, views);
    });
  }
  static gh_status SnapshotList(gh_storage* self, gh_snapshot_info_sink sink, void* ctx, uint64_t* forgotten_through,
                                gh_error* err) {
    return Guard(err, [&] {
      std::uint64_t through = 0;
      for (const auto& s : Self(self)->SnapshotList(&through)) {
        const gh_snapshot_info info{sizeof(gh_snapshot_info), s.revision, s.taken_at_ms, s.bytes};
        sink(ctx, &info);
      }
      *forgotten_through = through;
    });
  }
  static gh_status SnapshotRead(gh_storage* self, uint64_t revision, gh_chunk_sink sink, void* ctx, gh_error* err) {
    return GuardSink(err, [&] {
      Self(self)->SnapshotRead(revision, [&](std::string_view chunk) {
        const gh_status st = sink(ctx, Str(chunk));
        if (st != GH_OK) throw SinkStopped{st};
      });
    });
  }
  static gh_status ForgetHistory(gh_storage* self, uint64_t through, gh_error* err) {
    return Guard(err, [&] { Self(self)->ForgetHistory(through); });
  }
  static gh_status SnapshotDrop(gh_storage* self, uint64_t revision, gh_error* err) {
    return Guard(err, [&] { Self(self)->SnapshotDrop(revision); });
  }
  static const gh_storage_vtable* Table() {
    static const gh_storage_vtable table = {sizeof(gh_storage_vtable),
                                            &Create,
                                            &Destroy,
                                            &Load,
                                            &Append,
                                            &ReadSince,
                                            &Head,
                                            &CursorGet,
                                            &CursorPut,
                                            &Compact,
                                            &Metrics,
                                            T::kShared ? &WaitForChanges : nullptr,
                                            T::kShared ? &TryLease : nullptr,
                                            T::kShared ? &ReleaseLease : nullptr,
                                            T::kSnapshots ? &SnapshotPut : nullptr,
                                            T::kSnapshots ? &SnapshotList : nullptr,
                                            T::kSnapshots ? &SnapshotRead : nullptr,
                                            T::kSnapshots ? &ForgetHistory : nullptr,
                                            T::kSnapshots ? &SnapshotDrop : nullptr};
    return &table;
  }
};

template <typename T>
struct NotifierThunks {
  static T* Self(gh_notifier* s) { return reinterpret_cast<T*>(s); }
  static gh_status Create(const gh_host_api* host, const gh_option* options, size_t n, gh_notifier** out,
                          gh_error* err) {
    return Guard(err, [&] {
      auto instance = T::Create(Host(host), Options(options, n));
      *out = reinterpret_cast<gh_notifier*>(instance.release());
    });
  }
  static void Destroy(gh_notifier* self) { delete Self(self); }
  static gh_status Deliver(gh_notifier* self, const gh_event* events, size_t count, gh_error* err) {
    return Guard(err, [&]() -> gh_status {
      std::vector<NotifierPlugin::Event> es;
      es.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        const gh_event& e = events[i];
        es.push_back({e.revision, View(e.type), View(e.account_id), View(e.actor), e.at_ms, View(e.data_json)});
      }
      std::string message;
      gh_status st = Self(self)->Deliver(es, &message);
      if (st != GH_OK) SetError(err, message);
      return st;
    });
  }
  static const gh_notifier_vtable* Table() {
    static const gh_notifier_vtable table = {sizeof(gh_notifier_vtable), &Create, &Destroy, &Deliver};
    return &table;
  }
};

inline bool Offers(const uint32_t* majors, size_t count, uint32_t major) {
  for (size_t i = 0; i < count; ++i) {
    if (majors[i] == major) return true;
  }
  return false;
}

}  // namespace detail
}  // namespace gatehouse::sdk

// Defines the entry point for a storage plugin class T with
//   static std::unique_ptr<T> Create(gatehouse::sdk::Host, const gatehouse::sdk::Options&);
// OPTIONS is a `static const gh_option_spec[]` array.
#define GH_DEFINE_PLUGIN_(KIND, TABLE, NAME, VERSION, DESCRIPTION, OPTIONS)                                          \
  extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t* majors, size_t count) {           \
    static const gh_plugin_descriptor descriptor = {                                                                 \
        sizeof(gh_plugin_descriptor),         GH_ABI_MAJOR, GH_ABI_MINOR, KIND, NAME, VERSION, DESCRIPTION, OPTIONS, \
        sizeof(OPTIONS) / sizeof(OPTIONS[0]), TABLE};                                                                \
    return ::gatehouse::sdk::detail::Offers(majors, count, GH_ABI_MAJOR) ? &descriptor : nullptr;                    \
  }

#define GH_DEFINE_STORAGE_PLUGIN(T, NAME, VERSION, DESCRIPTION, OPTIONS)                                              \
  GH_DEFINE_PLUGIN_(GH_KIND_STORAGE, ::gatehouse::sdk::detail::StorageThunks<T>::Table(), NAME, VERSION, DESCRIPTION, \
                    OPTIONS)

#define GH_DEFINE_NOTIFIER_PLUGIN(T, NAME, VERSION, DESCRIPTION, OPTIONS)                                  \
  GH_DEFINE_PLUGIN_(GH_KIND_NOTIFIER, ::gatehouse::sdk::detail::NotifierThunks<T>::Table(), NAME, VERSION, \
                    DESCRIPTION, OPTIONS)

#endif  // GATEHOUSE_PLUGIN_HPP_

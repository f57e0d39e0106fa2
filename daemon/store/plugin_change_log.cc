#include "store/plugin_change_log.h"

#include <gatehouse/plugin.h>

#include <cstddef>

namespace gatehouse {
namespace {

gh_str Str(std::string_view s) { return gh_str{s.data(), s.size()}; }
std::string Copy(gh_str s) { return std::string(s.data == nullptr ? "" : s.data, s.len); }

void HostLog(void* ctx, int32_t level, gh_str message) {
  auto* fn = static_cast<PluginLogFn*>(ctx);
  if (fn != nullptr && *fn) (*fn)(level, std::string_view(message.data, message.len));
}

struct SinkContext {
  const ChangeLog::RecordSink* sink;
  Status status;
};

gh_status RecordSinkThunk(void* ctx, const gh_record* r) {
  auto* c = static_cast<SinkContext*>(ctx);
  ChangeRecord record;
  record.revision = r->revision;
  record.type = Copy(r->type);
  record.account_id = Copy(r->account_id);
  record.actor = Copy(r->actor);
  record.at = r->at_ms;
  record.payload = Copy(r->payload);
  c->status = (*c->sink)(record);
  return c->status.ok() ? GH_OK : GH_ERR_INTERNAL;
}

}  // namespace

StatusCode StatusCodeFromAbi(int status) {
  switch (status) {
    case GH_OK:
      return StatusCode::kOk;
    case GH_ERR_INVALID_ARGUMENT:
      return StatusCode::kInvalidArgument;
    case GH_ERR_NOT_FOUND:
      return StatusCode::kNotFound;
    case GH_ERR_CONFLICT:
      return StatusCode::kAborted;
    case GH_ERR_UNAVAILABLE:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

Status PluginChangeLog::FromAbi(int status, const gh_error& err, const char* what) const {
  if (status == GH_OK) return Status::Ok();
  std::string message = "storage \"" + plugin_.info.name + "\": " + what + ": " + PluginErrorMessage(err, "failed");
  return Status(StatusCodeFromAbi(status), std::move(message));
}

Result<std::unique_ptr<PluginChangeLog>> PluginChangeLog::Open(const LoadedPlugin& plugin,
                                                               const std::map<std::string, std::string>& options,
                                                               PluginLogFn log) {
  if (plugin.info.kind != GH_KIND_STORAGE) {
    return InvalidArgument("plugin " + plugin.info.path + " is not a storage plugin");
  }
  auto validated = PluginHost::ValidateOptions(plugin.info, options);
  if (!validated.ok()) return validated.status();
  std::unique_ptr<PluginChangeLog> self(new PluginChangeLog());
  self->plugin_ = plugin;
  self->vt_ = static_cast<const gh_storage_vtable*>(plugin.descriptor->vtable);
  self->log_ = std::make_unique<PluginLogFn>(std::move(log));
  self->host_api_ = gh_host_api{sizeof(gh_host_api), GH_ABI_MAJOR, GH_ABI_MINOR, self->log_.get(), &HostLog};
  std::vector<gh_option> opts;
  for (const auto& [name, value] : *validated) opts.push_back(gh_option{Str(name), Str(value)});
  gh_error err = NewPluginError();
  const gh_status st = self->vt_->create(&self->host_api_, opts.data(), opts.size(), &self->instance_, &err);
  if (st != GH_OK || self->instance_ == nullptr) {
    self->instance_ = nullptr;
    Status s = self->FromAbi(st == GH_OK ? GH_ERR_INTERNAL : st, err, "open");
    return s;
  }
  return self;
}

PluginChangeLog::~PluginChangeLog() {
  if (instance_ != nullptr) vt_->destroy(instance_);
}

Result<std::uint64_t> PluginChangeLog::Load(const RecordSink& sink) {
  SinkContext ctx{&sink, Status::Ok()};
  gh_error err = NewPluginError();
  std::uint64_t head = 0;
  const gh_status st = vt_->load(instance_, &RecordSinkThunk, &ctx, &head, &err);
  if (!ctx.status.ok()) return ctx.status;
  if (st != GH_OK) return FromAbi(st, err, "load");
  return head;
}

Result<std::uint64_t> PluginChangeLog::Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head) {
  std::vector<gh_record> rs;
  rs.reserve(records.size());
  for (const auto& r : records) {
    rs.push_back(
        gh_record{sizeof(gh_record), r.revision, Str(r.type), Str(r.account_id), Str(r.actor), r.at, Str(r.payload)});
  }
  gh_error err = NewPluginError();
  std::uint64_t head = 0;
  const gh_status st = vt_->append(instance_, rs.data(), rs.size(), expected_head, &head, &err);
  if (st != GH_OK) return FromAbi(st, err, "append");
  return head;
}

Result<std::size_t> PluginChangeLog::ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) {
  SinkContext ctx{&sink, Status::Ok()};
  gh_error err = NewPluginError();
  std::size_t count = 0;
  const gh_status st = vt_->read_since(instance_, since, limit, &RecordSinkThunk, &ctx, &count, &err);
  if (!ctx.status.ok()) return ctx.status;
  if (st != GH_OK) return FromAbi(st, err, "read");
  return count;
}

Result<std::uint64_t> PluginChangeLog::Head() {
  gh_error err = NewPluginError();
  std::uint64_t head = 0;
  const gh_status st = vt_->head(instance_, &head, &err);
  if (st != GH_OK) return FromAbi(st, err, "head");
  return head;
}

Result<std::optional<std::string>> PluginChangeLog::GetCursor(const std::string& name) {
  gh_error err = NewPluginError();
  std::string value;
  auto sink = [](void* ctx, gh_str v) { *static_cast<std::string*>(ctx) = Copy(v); };
  const gh_status st = vt_->cursor_get(instance_, Str(name), sink, &value, &err);
  if (st == GH_ERR_NOT_FOUND) return std::optional<std::string>();
  if (st != GH_OK) return FromAbi(st, err, "cursor get");
  return std::optional<std::string>(std::move(value));
}

Status PluginChangeLog::PutCursor(const std::string& name, const std::string& value) {
  gh_error err = NewPluginError();
  return FromAbi(vt_->cursor_put(instance_, Str(name), Str(value), &err), err, "cursor put");
}

Status PluginChangeLog::Compact() {
  if (vt_->compact == nullptr) return Status::Ok();
  gh_error err = NewPluginError();
  return FromAbi(vt_->compact(instance_, &err), err, "compact");
}

Result<std::vector<std::pair<std::string, double>>> PluginChangeLog::Metrics() {
  std::vector<std::pair<std::string, double>> out;
  // A table built against ABI 1.0 ends before `metrics`: the entry is absent, not NULL.
  if (!TableHas(offsetof(gh_storage_vtable, metrics), sizeof(vt_->metrics)) || vt_->metrics == nullptr) {
    return out;
  }
  gh_error err = NewPluginError();
  const gh_status st = vt_->metrics(
      instance_,
      [](void* ctx, gh_str name, double value) {
        static_cast<std::vector<std::pair<std::string, double>>*>(ctx)->emplace_back(Copy(name), value);
      },
      &out, &err);
  if (st != GH_OK) return FromAbi(st, err, "metrics");
  return out;
}

bool PluginChangeLog::IsShared() const {
  return TableHas(offsetof(gh_storage_vtable, wait_for_changes), sizeof(vt_->wait_for_changes)) &&
         vt_->wait_for_changes != nullptr;
}

Result<std::uint64_t> PluginChangeLog::WaitForChanges(std::uint64_t since, std::uint32_t timeout_ms) {
  if (!IsShared()) return ChangeLog::WaitForChanges(since, timeout_ms);
  gh_error err = NewPluginError();
  std::uint64_t head = since;
  const gh_status st = vt_->wait_for_changes(instance_, since, timeout_ms, &head, &err);
  if (st != GH_OK) return FromAbi(st, err, "wait for changes");
  return head;
}

bool PluginChangeLog::HasLeases() const {
  return TableHas(offsetof(gh_storage_vtable, release_lease), sizeof(vt_->release_lease)) && vt_->try_lease != nullptr;
}

Result<bool> PluginChangeLog::TryLease(const std::string& name) {
  if (!HasLeases()) return true;
  gh_error err = NewPluginError();
  std::int32_t held = 0;
  const gh_status st = vt_->try_lease(instance_, Str(name), &held, &err);
  if (st != GH_OK) return FromAbi(st, err, "lease");
  return held != 0;
}

Status PluginChangeLog::ReleaseLease(const std::string& name) {
  if (!HasLeases()) return Status::Ok();
  gh_error err = NewPluginError();
  return FromAbi(vt_->release_lease(instance_, Str(name), &err), err, "release lease");
}

bool PluginChangeLog::SupportsSnapshots() const {
  return TableHas(offsetof(gh_storage_vtable, snapshot_drop), sizeof(vt_->snapshot_drop)) &&
         vt_->snapshot_put != nullptr;
}

Status PluginChangeLog::PutSnapshot(std::uint64_t revision, Timestamp taken_at,
                                    const std::vector<std::string>& chunks) {
  if (!SupportsSnapshots()) return ChangeLog::PutSnapshot(revision, taken_at, chunks);
  std::vector<gh_str> views;
  views.reserve(chunks.size());
  for (const auto& c : chunks) views.push_back(Str(c));
  gh_error err = NewPluginError();
  return FromAbi(vt_->snapshot_put(instance_, revision, taken_at, views.data(), views.size(), &err), err,
                 "snapshot put");
}

Result<LogHistory> PluginChangeLog::History() {
  if (!SupportsSnapshots()) return ChangeLog::History();
  LogHistory history;
  gh_error err = NewPluginError();
  const gh_status st = vt_->snapshot_list(
      instance_,
      [](void* ctx, const gh_snapshot_info* info) {
        static_cast<LogHistory*>(ctx)->snapshots.push_back(
            SnapshotInfo{info->revision, info->taken_at_ms, info->bytes});
      },
      &history, &history.forgotten_through, &err);
  if (st != GH_OK) return FromAbi(st, err, "snapshot list");
  return history;
}

Result<std::vector<std::string>> PluginChangeLog::ReadSnapshot(std::uint64_t revision) {
  if (!SupportsSnapshots()) return ChangeLog::ReadSnapshot(revision);
  std::vector<std::string> chunks;
  gh_error err = NewPluginError();
  const gh_status st = vt_->snapshot_read(
      instance_, revision,
      [](void* ctx, gh_str chunk) -> gh_status {
        static_cast<std::vector<std::string>*>(ctx)->push_back(Copy(chunk));
        return GH_OK;
      },
      &chunks, &err);
  if (st != GH_OK) return FromAbi(st, err, "snapshot read");
  return chunks;
}

Status PluginChangeLog::ForgetHistory(std::uint64_t through) {
  if (!SupportsSnapshots()) return ChangeLog::ForgetHistory(through);
  gh_error err = NewPluginError();
  return FromAbi(vt_->forget_history(instance_, through, &err), err, "forget history");
}

Status PluginChangeLog::DropSnapshot(std::uint64_t revision) {
  if (!SupportsSnapshots()) return ChangeLog::DropSnapshot(revision);
  gh_error err = NewPluginError();
  return FromAbi(vt_->snapshot_drop(instance_, revision, &err), err, "snapshot drop");
}

}  // namespace gatehouse

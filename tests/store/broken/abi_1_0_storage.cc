// A storage plugin built against the ABI 1.0 layout: its function table ends at `compact`
// (1.1 appended `metrics`). It declares its own frozen copy of the 1.0 struct, as a plugin
// compiled with the 1.0 header would have it, and must keep loading and working on a 1.1
// host. It keeps its log in memory.
#include <gatehouse/plugin.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

// gh_storage_vtable exactly as ABI 1.0 defined it.
struct StorageVtable10 {
  uint32_t struct_size;
  gh_status (*create)(const gh_host_api*, const gh_option*, size_t, gh_storage**, gh_error*);
  void (*destroy)(gh_storage*);
  gh_status (*load)(gh_storage*, gh_record_sink, void*, uint64_t*, gh_error*);
  gh_status (*append)(gh_storage*, const gh_record*, size_t, uint64_t, uint64_t*, gh_error*);
  gh_status (*read_since)(gh_storage*, uint64_t, size_t, gh_record_sink, void*, size_t*, gh_error*);
  gh_status (*head)(gh_storage*, uint64_t*, gh_error*);
  gh_status (*cursor_get)(gh_storage*, gh_str, gh_value_sink, void*, gh_error*);
  gh_status (*cursor_put)(gh_storage*, gh_str, gh_str, gh_error*);
  gh_status (*compact)(gh_storage*, gh_error*);
};

struct Stored {
  uint64_t revision;
  std::string type, account, actor, payload;
  int64_t at;
};
struct Log {
  std::vector<Stored> records;
};

Log* Self(gh_storage* s) { return reinterpret_cast<Log*>(s); }
gh_str Str(const std::string& s) { return gh_str{s.data(), s.size()}; }
std::string Copy(gh_str s) { return std::string(s.data, s.len); }

gh_status Stream(Log* log, uint64_t since, size_t limit, gh_record_sink sink, void* ctx, size_t* count) {
  *count = 0;
  for (const auto& r : log->records) {
    if (r.revision <= since) continue;
    if (limit != 0 && *count == limit) break;
    gh_record c{sizeof(gh_record), r.revision, Str(r.type), Str(r.account), Str(r.actor), r.at, Str(r.payload)};
    if (gh_status st = sink(ctx, &c); st != GH_OK) return st;
    ++*count;
  }
  return GH_OK;
}

gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage** out, gh_error*) {
  *out = reinterpret_cast<gh_storage*>(new Log());
  return GH_OK;
}
void Destroy(gh_storage* s) { delete Self(s); }
gh_status Load(gh_storage* s, gh_record_sink sink, void* ctx, uint64_t* head, gh_error*) {
  size_t n = 0;
  *head = Self(s)->records.size();
  return Stream(Self(s), 0, 0, sink, ctx, &n);
}
gh_status Append(gh_storage* s, const gh_record* rs, size_t count, uint64_t expected, uint64_t* head, gh_error* err) {
  Log* log = Self(s);
  if (log->records.size() != expected) {
    std::strcpy(err->message, "head moved");
    return GH_ERR_CONFLICT;
  }
  for (size_t i = 0; i < count; ++i) {
    log->records.push_back(Stored{log->records.size() + 1, Copy(rs[i].type), Copy(rs[i].account_id), Copy(rs[i].actor),
                                  Copy(rs[i].payload), rs[i].at_ms});
  }
  *head = log->records.size();
  return GH_OK;
}
gh_status ReadSince(gh_storage* s, uint64_t since, size_t limit, gh_record_sink sink, void* ctx, size_t* count,
                    gh_error*) {
  return Stream(Self(s), since, limit, sink, ctx, count);
}
gh_status Head(gh_storage* s, uint64_t* head, gh_error*) {
  *head = Self(s)->records.size();
  return GH_OK;
}
gh_status CursorGet(gh_storage*, gh_str, gh_value_sink, void*, gh_error*) { return GH_ERR_NOT_FOUND; }
gh_status CursorPut(gh_storage*, gh_str, gh_str, gh_error*) { return GH_OK; }

const StorageVtable10 kTable = {
    sizeof(StorageVtable10), &Create, &Destroy, &Load, &Append, &ReadSince, &Head, &CursorGet, &CursorPut, nullptr};
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor), 1,       0, GH_KIND_STORAGE, "abi-1-0", "1.0.0",
                                          "built against ABI 1.0",      nullptr, 0, &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

// A storage plugin whose ABI 1.3 table sets snapshot_put and snapshot_list but not
// snapshot_read, forget_history or snapshot_drop: it would accept snapshots it can never give back, and
// a daemon relying on them would start from nothing. The host refuses the table at load.
#include "storage_stubs.h"

namespace {
gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage** out, gh_error*) {
  static int instance;
  *out = reinterpret_cast<gh_storage*>(&instance);
  return GH_OK;
}
gh_status Put(gh_storage*, uint64_t, int64_t, const gh_str*, size_t, gh_error*) { return GH_OK; }
gh_status List(gh_storage*, gh_snapshot_info_sink, void*, uint64_t* forgotten, gh_error*) {
  *forgotten = 0;
  return GH_OK;
}
gh_storage_vtable PartialTable() {
  gh_storage_vtable t = stubs::StubTable(&Create);
  t.snapshot_put = &Put;
  t.snapshot_list = &List;  // the other three stay NULL
  return t;
}
const gh_storage_vtable kTable = PartialTable();
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor),
                                          GH_ABI_MAJOR,
                                          GH_ABI_MINOR,
                                          GH_KIND_STORAGE,
                                          "partial-snapshots",
                                          "0",
                                          "two of the five snapshot entries",
                                          nullptr,
                                          0,
                                          &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

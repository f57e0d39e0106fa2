// A storage plugin whose ABI 1.2 table sets try_lease but leaves release_lease NULL: it
// could take a lease it can never give back, so a notifier would stay stuck on its node.
// The host refuses the table at load.
#include "storage_stubs.h"

namespace {
gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage** out, gh_error*) {
  static int instance;
  *out = reinterpret_cast<gh_storage*>(&instance);
  return GH_OK;
}
gh_status TryLease(gh_storage*, gh_str, int32_t* held, gh_error*) {
  *held = 1;
  return GH_OK;
}
gh_storage_vtable HalfLeaseTable() {
  gh_storage_vtable t = stubs::StubTable(&Create);
  t.try_lease = &TryLease;  // release_lease stays NULL
  return t;
}
const gh_storage_vtable kTable = HalfLeaseTable();
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor),
                                          GH_ABI_MAJOR,
                                          GH_ABI_MINOR,
                                          GH_KIND_STORAGE,
                                          "half-lease",
                                          "0",
                                          "try_lease without release_lease",
                                          nullptr,
                                          0,
                                          &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

// A storage plugin that crashes (SIGSEGV) in create: the daemon dies, but its last log line
// must name the plugin and its file.
#include <gatehouse/plugin.h>

#include "storage_stubs.h"

#include <csignal>

namespace {
gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage**, gh_error*) {
  std::raise(SIGSEGV);
  return GH_ERR_INTERNAL;
}
const gh_storage_vtable kTable = stubs::StubTable(&Create);
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor),
                                          GH_ABI_MAJOR,
                                          GH_ABI_MINOR,
                                          GH_KIND_STORAGE,
                                          "crash-create",
                                          "0",
                                          "crashes in create",
                                          nullptr,
                                          0,
                                          &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

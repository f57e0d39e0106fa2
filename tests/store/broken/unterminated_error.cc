// A storage plugin whose create fails and fills the whole error buffer without a NUL. The
// host must read at most the buffer (ASan checks), never past it.
#include <gatehouse/plugin.h>

#include "storage_stubs.h"

#include <cstring>

namespace {
gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage**, gh_error* err) {
  std::memset(err->message, 'x', sizeof err->message);
  return GH_ERR_UNAVAILABLE;
}
const gh_storage_vtable kTable = stubs::StubTable(&Create);
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor),
                                          GH_ABI_MAJOR,
                                          GH_ABI_MINOR,
                                          GH_KIND_STORAGE,
                                          "unterminated",
                                          "0",
                                          "no NUL in its error",
                                          nullptr,
                                          0,
                                          &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

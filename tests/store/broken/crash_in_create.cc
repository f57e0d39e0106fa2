// A storage plugin that crashes (SIGSEGV) in create: the daemon dies, but its last log line
// must name the plugin and its file.
#include <gatehouse/plugin.h>

#include <csignal>

namespace {
gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage**, gh_error*) {
  std::raise(SIGSEGV);
  return GH_ERR_INTERNAL;
}
void Destroy(gh_storage*) {}
gh_status Load(gh_storage*, gh_record_sink, void*, uint64_t*, gh_error*) { return GH_OK; }
gh_status Append(gh_storage*, const gh_record*, size_t, uint64_t, uint64_t*, gh_error*) { return GH_OK; }
gh_status ReadSince(gh_storage*, uint64_t, size_t, gh_record_sink, void*, size_t*, gh_error*) { return GH_OK; }
gh_status Head(gh_storage*, uint64_t*, gh_error*) { return GH_OK; }
gh_status CursorGet(gh_storage*, gh_str, gh_value_sink, void*, gh_error*) { return GH_OK; }
gh_status CursorPut(gh_storage*, gh_str, gh_str, gh_error*) { return GH_OK; }
const gh_storage_vtable kTable = {sizeof(gh_storage_vtable), &Create, &Destroy, &Load, &Append, &ReadSince,
                                  &Head, &CursorGet, &CursorPut, nullptr, nullptr};
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor), GH_ABI_MAJOR, GH_ABI_MINOR, GH_KIND_STORAGE,
                                          "crash-create", "0", "crashes in create", nullptr, 0, &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

// A storage plugin whose function table leaves a required entry NULL ("append"). The host
// listed it as healthy and the daemon segfaulted on the first write.
#include <gatehouse/plugin.h>

namespace {
gh_status Create(const gh_host_api*, const gh_option*, size_t, gh_storage** out, gh_error*) {
  static int instance;
  *out = reinterpret_cast<gh_storage*>(&instance);
  return GH_OK;
}
void Destroy(gh_storage*) {}
gh_status Load(gh_storage*, gh_record_sink, void*, uint64_t* head, gh_error*) {
  *head = 0;
  return GH_OK;
}
gh_status Head(gh_storage*, uint64_t* head, gh_error*) {
  *head = 0;
  return GH_OK;
}

const gh_storage_vtable kTable = {sizeof(gh_storage_vtable), &Create, &Destroy, &Load,
                                  /*append=*/nullptr,
                                  /*read_since=*/nullptr,    &Head,   nullptr,  nullptr, nullptr, nullptr};
const gh_plugin_descriptor kDescriptor = {sizeof(gh_plugin_descriptor),
                                          GH_ABI_MAJOR,
                                          GH_ABI_MINOR,
                                          GH_KIND_STORAGE,
                                          "null-entries",
                                          "0",
                                          "append is NULL",
                                          nullptr,
                                          0,
                                          &kTable};
}  // namespace

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

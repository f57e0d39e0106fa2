// A plugin that ignores negotiation and returns a descriptor claiming ABI 99.
#include <gatehouse/plugin.h>

static const gh_storage_vtable kTable = {
    sizeof(gh_storage_vtable), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
static const gh_plugin_descriptor kDescriptor = {
    sizeof(gh_plugin_descriptor), 99, 0, GH_KIND_STORAGE, "lying-abi", "0", "claims a future ABI", nullptr, 0, &kTable};

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) { return &kDescriptor; }

// A plugin built for ABI 99 only: it offers nothing when the host speaks 1.
#include <gatehouse/plugin.h>

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t* majors, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (majors[i] == 99) return nullptr;  // would return its descriptor
  }
  return nullptr;
}

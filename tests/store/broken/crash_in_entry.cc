// A notifier plugin that crashes (SIGSEGV) in its entry function. `gatehouse plugins list`
// segfaulted on it; now it must report the file and the signal, and list the others.
#include <gatehouse/plugin.h>

#include <csignal>

extern "C" GH_EXPORT const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t*, size_t) {
  std::raise(SIGSEGV);
  return nullptr;
}

// Do-nothing storage functions for the broken test plugins, so each plugin spells out only
// what is broken about it. StubTable(create) is a complete ABI 1.2 table around `create`
// (no optional entries).
#pragma once

#include <gatehouse/plugin.h>

namespace stubs {
inline void Destroy(gh_storage*) {}
inline gh_status Load(gh_storage*, gh_record_sink, void*, uint64_t*, gh_error*) { return GH_OK; }
inline gh_status Append(gh_storage*, const gh_record*, size_t, uint64_t, uint64_t*, gh_error*) { return GH_OK; }
inline gh_status ReadSince(gh_storage*, uint64_t, size_t, gh_record_sink, void*, size_t*, gh_error*) { return GH_OK; }
inline gh_status Head(gh_storage*, uint64_t*, gh_error*) { return GH_OK; }
inline gh_status CursorGet(gh_storage*, gh_str, gh_value_sink, void*, gh_error*) { return GH_OK; }
inline gh_status CursorPut(gh_storage*, gh_str, gh_str, gh_error*) { return GH_OK; }

using CreateFn = gh_status (*)(const gh_host_api*, const gh_option*, size_t, gh_storage**, gh_error*);
constexpr gh_storage_vtable StubTable(CreateFn create) {
  return {sizeof(gh_storage_vtable),
          create,
          &Destroy,
          &Load,
          &Append,
          &ReadSince,
          &Head,
          &CursorGet,
          &CursorPut,
          nullptr,
          nullptr,
          nullptr,
          nullptr,
          nullptr};
}
}  // namespace stubs

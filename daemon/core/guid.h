// NewGuid(): a random (version 4) GUID in its canonical lower-case text form, for
// server-generated user-facing ids. Thread safety: safe to call from any thread.
#pragma once

#include <string>

namespace gatehouse {
std::string NewGuid();
}

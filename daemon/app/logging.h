// Logging setup for gatehoused: one spdlog logger, "gatehouse", in the format log.format
// names.
//   text     time, level and message on stderr.
//   json     one JSON object per line on stderr: {"time","level","msg"}. The message is
//            escaped (quotes, backslashes, newlines, control bytes as \u00XX, invalid UTF-8
//            as U+FFFD), so every line parses whatever the message holds.
//   journald the native journal protocol (libsystemd's sd_journal_send): the level becomes
//            PRIORITY, SYSLOG_IDENTIFIER is "gatehoused".
//   auto     journald when started by systemd with its output on the journal
//            (JOURNAL_STREAM set), else text.
// Internal to app/.
#pragma once

#include <string>
#include <string_view>

namespace gatehouse {

struct Config;

void SetupLogging(const Config& config);

// `text` as the contents of a JSON string (without the quotes). Exposed for tests.
std::string JsonEscape(std::string_view text);

}  // namespace gatehouse

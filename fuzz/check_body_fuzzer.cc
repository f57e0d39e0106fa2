// libFuzzer target: arbitrary bytes as /v1/check and /v1/check/batch bodies. The fast
// reader (api/check_body.h) must never crash, and whatever it accepts nlohmann — the
// general path's parser — must read as the same checks (else abort: a finding).
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/check_body.h"

namespace {

using nlohmann::json;

// True when `j` is a check the general path takes and it says what `v` says.
bool Same(const json& j, const gatehouse::api::CheckView& v) {
  if (!j.is_object() || !j.contains("subject") || !j["subject"].is_object()) return false;
  const json& s = j["subject"];
  if (!s.contains("id") || !s["id"].is_string() || s["id"].get<std::string>() != v.subject_id) return false;
  const auto type =
      s.contains("subjectType") && !s["subjectType"].is_null()
          ? (s["subjectType"].is_string() ? gatehouse::ParseSubjectType(s["subjectType"].get<std::string>())
                                          : std::nullopt)
          : std::optional<gatehouse::SubjectType>(gatehouse::SubjectType::kUser);
  if (!type || *type != v.subject_type) return false;
  if (!j.contains("permission") || !j["permission"].is_string() || j["permission"].get<std::string>() != v.permission)
    return false;
  if (!j.contains("asset") || !j["asset"].is_object() || !j["asset"].contains("id") || !j["asset"]["id"].is_string() ||
      j["asset"]["id"].get<std::string>() != v.asset_id)
    return false;
  const bool explain = j.contains("explain") && j["explain"].is_boolean() && j["explain"].get<bool>();
  return explain == v.explain && !v.subject_id.empty() && !v.permission.empty() && !v.asset_id.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  gatehouse::api::CheckView one;
  if (gatehouse::api::FastReadCheck(body, &one)) {
    const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !Same(j, one)) std::abort();
  }
  std::vector<gatehouse::api::CheckView> many;
  if (gatehouse::api::FastReadBatch(body, 8, &many)) {
    const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.contains("checks") || !j["checks"].is_array() || j["checks"].size() != many.size())
      std::abort();
    for (std::size_t i = 0; i < many.size(); ++i) {
      if (!Same(j["checks"][i], many[i])) std::abort();
    }
  }
  return 0;
}

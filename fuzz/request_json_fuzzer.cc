// libFuzzer target: arbitrary bytes as the JSON bodies the API decodes — assignments
// (AssignmentV3), restrictions and timestamps. Decoding must never crash or throw;
// errors must be Status values naming a field.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "api/team_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gatehouse;
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  (void)api::ParseGrant(j, "body").ok();
  (void)api::ParseRestriction(j, "restrictions").ok();
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      (void)api::ParseGrant(value, key).ok();
      (void)api::ParseTime(j, key.c_str(), "").ok();
    }
  }
  return 0;
}

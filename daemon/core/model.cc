#include "core/model.h"

#include <array>

namespace gatehouse {
namespace {
constexpr std::array<std::string_view, kSubjectTypeCount> kSubjectTypeNames = {
    "USER", "ACCOUNT", "EXTERNAL_APP", "WIX_APP", "USER_GROUP", "ACCOUNT_GROUP"};
}

std::string_view SubjectTypeName(SubjectType t) { return kSubjectTypeNames[static_cast<std::size_t>(t)]; }

std::optional<SubjectType> ParseSubjectType(std::string_view name) {
  for (std::size_t i = 0; i < kSubjectTypeNames.size(); ++i) {
    if (kSubjectTypeNames[i] == name) return static_cast<SubjectType>(i);
  }
  return std::nullopt;
}

namespace {
constexpr std::array<std::string_view, kInviteStatusCount> kInviteStatusNames = {"Pending", "Used", "Deleted",
                                                                                 "Declined", "Expired"};
}

std::string_view InviteStatusName(InviteStatus s) { return kInviteStatusNames[static_cast<std::size_t>(s)]; }

std::optional<InviteStatus> ParseInviteStatus(std::string_view name) {
  for (std::size_t i = 0; i < kInviteStatusNames.size(); ++i) {
    if (kInviteStatusNames[i] == name) return static_cast<InviteStatus>(i);
  }
  return std::nullopt;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace gatehouse

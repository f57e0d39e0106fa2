// libFuzzer target: arbitrary bytes as a policy file. The loader must never crash, hang
// or throw, and whatever it accepts must compile (or be reported) without crashing; a
// set that compiles must answer checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/decider.h"
#include "engine/policy_compiler.h"
#include "policy/policy_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gatehouse;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  PolicySource source;
  std::vector<PolicyTestSuite> tests;
  std::vector<PolicyError> errors;
  ParsePolicyText(text, "fuzz.yaml", size % 2 == 0 ? "" : "acct", &source, &tests, &errors);
  CompileOutput out = CompilePolicySet(source);
  if (out.ok()) {
    auto snapshot = std::make_shared<Snapshot>(out.policy_set, 1);
    auto state = std::make_shared<AccountState>(Account{"a", "a", "o", 0});
    for (const auto& role : out.policy_set->predefined_roles()) {
      Assignment a;
      a.id = 1;
      a.account_id = "a";
      a.subject = Subject{"u", SubjectType::kUser};
      a.role_id = role.decl.id;
      state->ApplyAssignmentAdded(a);
      break;
    }
    snapshot->PutAccount(state);
    for (const auto& p : out.policy_set->PermissionIds()) {
      (void)Explain(*snapshot, CheckQuery{"a", SubjectType::kUser, "u", p, "a"}, 0);
    }
  }
  return 0;
}

#include "engine/subject_index.h"

#include <algorithm>
#include <numeric>

namespace gatehouse {
namespace {

bool Before(const AccountState::SubjectEntry& a, std::string_view type_b, std::string_view id_b) {
  const std::string_view type_a = SubjectTypeName(a.type);
  return type_a != type_b ? type_a < type_b : std::string_view(a.id) < id_b;
}

}  // namespace

std::shared_ptr<const SubjectIndex> SubjectIndex::ForAccount(const AccountState& state) {
  if (auto cached = state.CachedSubjectIndex()) return cached;
  auto index = std::make_shared<SubjectIndex>();
  const auto& subjects = state.subjects();
  index->order_.resize(subjects.size());
  std::iota(index->order_.begin(), index->order_.end(), 0U);
  std::sort(index->order_.begin(), index->order_.end(), [&](std::uint32_t a, std::uint32_t b) {
    return Before(subjects[a], SubjectTypeName(subjects[b].type), subjects[b].id);
  });
  index->by_node_.resize(state.NodeCount());
  for (std::uint32_t pos = 0; pos < index->order_.size(); ++pos) {
    const auto& s = subjects[index->order_[pos]];
    for (const auto& g : s.grants) {
      if (g.kind == Restriction::Kind::kAccount) {
        if (index->account_wide_.empty() || index->account_wide_.back() != pos) index->account_wide_.push_back(pos);
        continue;
      }
      for (std::uint32_t node : state.ScopesOf(g)) {
        auto& list = index->by_node_[node];
        if (list.empty() || list.back() != pos) list.push_back(pos);
      }
    }
  }
  state.CacheSubjectIndex(index);
  return index;
}

std::uint32_t SubjectIndex::PositionAfter(const AccountState& state, std::string_view type, std::string_view id) const {
  const auto& subjects = state.subjects();
  // The first subject that is not at or before (type, id).
  auto it = std::partition_point(order_.begin(), order_.end(), [&](std::uint32_t s) {
    return !(type < SubjectTypeName(subjects[s].type) ||
             (type == SubjectTypeName(subjects[s].type) && id < std::string_view(subjects[s].id)));
  });
  return static_cast<std::uint32_t>(it - order_.begin());
}

}  // namespace gatehouse

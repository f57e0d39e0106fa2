#include "engine/account_codec.h"

#include <algorithm>

namespace gatehouse {

void WriteAccountBody(ByteWriter& w, const AccountState& state) {
  const Account& account = state.account();
  w.Str(account.id);
  w.Str(account.name);
  w.Str(account.owner_user_id);
  w.Signed(account.created_at);
  w.Varint(state.NodeCount());
  for (std::uint32_t n = 0; n < state.NodeCount(); ++n) {
    const auto& node = state.Node(n);
    w.Str(node.id);
    w.Byte(node.live ? 1 : 0);
    w.Varint(node.parent == AccountState::kNoNode ? 0 : std::uint64_t{node.parent} + 1);
    w.Varint(node.depth);
    w.Str(node.type);
    w.Str(node.name);
    w.Varint(node.children.size());
    for (std::uint32_t c : node.children) w.Varint(c);
  }
  w.Varint(state.subjects().size());
  for (const auto& subject : state.subjects()) {
    w.Str(subject.id);
    w.Byte(static_cast<std::uint8_t>(subject.type));
    w.Varint(subject.grants.size());
    for (const auto& g : subject.grants) {
      const bool has_start = g.not_before != AccountState::kNoStart;
      const bool has_end = g.expires_at != AccountState::kNoEnd;
      w.Varint(g.id);
      w.Byte(static_cast<std::uint8_t>((has_start ? 1 : 0) | (has_end ? 2 : 0) | (g.multi_scope ? 4 : 0) |
                                       (static_cast<unsigned>(g.kind) << 3)));
      if (has_start) w.Signed(g.not_before);
      if (has_end) w.Signed(g.expires_at);
      w.Signed(g.created_at);
      w.Varint(g.granted_revision);
      w.Varint(g.scope);
      w.Varint(g.granted_by);
      w.Varint(g.role_slot);
    }
  }
  w.Varint(state.multi_scopes().size());
  for (const auto& scopes : state.multi_scopes()) {
    w.Varint(scopes.size());
    for (std::uint32_t s : scopes) w.Varint(s);
  }
  w.Strings(state.role_slots());
  w.Strings(state.actors());
  w.Varint(state.invites().size());
  for (const auto& i : state.invites()) {
    w.Str(i.id);
    w.Str(i.account_id);
    w.Str(i.email);
    w.Byte(static_cast<std::uint8_t>(i.status));
    w.Str(i.token_hash);
    w.Varint(i.assignments.size());
    for (const auto& a : i.assignments) {
      w.Str(a.role_id);
      w.Restriction(a.restriction);
    }
    w.Str(i.inviter);
    w.Str(i.inviter_id);
    w.Str(i.accepted_by);
    w.Signed(i.created_at);
    w.Signed(i.updated_at);
    w.Signed(i.expires_at);
  }
  w.Varint(state.api_keys().size());
  for (const auto& k : state.api_keys()) {
    w.Str(k.id);
    w.Str(k.account_id);
    w.Str(k.subject.id);
    w.Byte(static_cast<std::uint8_t>(k.subject.type));
    w.Str(k.description);
    w.Str(k.key_hash);
    w.Signed(k.created_at);
  }
  w.Varint(state.custom_roles().size());
  for (const auto& r : state.custom_roles()) {
    w.Str(r.id);
    w.Str(r.account_id);
    w.Map(r.title);
    w.Map(r.description);
    w.Str(r.restrict_from_level);
    w.Strings(r.editor_types);
    w.Strings(r.inherits);
    w.Varint(r.statements.size());
    for (const auto& s : r.statements) {
      w.Byte(s.allow ? 1 : 0);
      w.Strings(s.permissions);
    }
  }
}

AccountState::Image ReadAccountBody(ByteReader& r) {
  AccountState::Image image;
  image.account.id = r.Str();
  image.account.name = r.Str();
  image.account.owner_user_id = r.Str();
  image.account.created_at = r.Signed();
  image.nodes.resize(r.Count());
  for (auto& node : image.nodes) {
    node.id = r.Str();
    node.live = r.Byte() != 0;
    const std::uint64_t parent = r.Varint();
    node.parent = parent == 0
                      ? AccountState::kNoNode
                      : static_cast<std::uint32_t>(std::min<std::uint64_t>(parent - 1, AccountState::kNoNode - 1));
    node.depth = r.Index();
    node.type = r.Str();
    node.name = r.Str();
    node.children.resize(r.Count());
    for (auto& c : node.children) c = r.Index();
  }
  image.subjects.resize(r.Count());
  for (auto& subject : image.subjects) {
    subject.id = r.Str();
    subject.type = r.Type(r.Byte());
    subject.grants.resize(r.Count());
    for (auto& g : subject.grants) {
      g.id = r.Varint();
      const std::uint8_t flags = r.Byte();
      if (flags & 1) g.not_before = r.Signed();
      if (flags & 2) g.expires_at = r.Signed();
      g.multi_scope = (flags & 4) != 0;
      g.kind = r.Kind(static_cast<std::uint8_t>(flags >> 3));
      g.created_at = r.Signed();
      g.granted_revision = r.Varint();
      g.scope = r.Index();
      g.granted_by = r.Index();
      const std::uint32_t slot = r.Index();
      if (slot > 0xFFFF) return {};  // caught by the caller's ok() check below
      g.role_slot = static_cast<std::uint16_t>(slot);
    }
  }
  image.multi_scopes.resize(r.Count());
  for (auto& scopes : image.multi_scopes) {
    scopes.resize(r.Count());
    for (auto& s : scopes) s = r.Index();
  }
  image.role_slots = r.Strings();
  image.actors = r.Strings();
  image.invites.resize(r.Count());
  for (auto& i : image.invites) {
    i.id = r.Str();
    i.account_id = r.Str();
    i.email = r.Str();
    const std::uint8_t status = r.Byte();
    if (status >= kInviteStatusCount) return {};
    i.status = static_cast<InviteStatus>(status);
    i.token_hash = r.Str();
    i.assignments.resize(r.Count());
    for (auto& a : i.assignments) {
      a.role_id = r.Str();
      a.restriction = r.Restriction();
    }
    i.inviter = r.Str();
    i.inviter_id = r.Str();
    i.accepted_by = r.Str();
    i.created_at = r.Signed();
    i.updated_at = r.Signed();
    i.expires_at = r.Signed();
  }
  image.api_keys.resize(r.Count());
  for (auto& k : image.api_keys) {
    k.id = r.Str();
    k.account_id = r.Str();
    k.subject.id = r.Str();
    k.subject.type = r.Type(r.Byte());
    k.description = r.Str();
    k.key_hash = r.Str();
    k.created_at = r.Signed();
  }
  image.custom_roles.resize(r.Count());
  for (auto& role : image.custom_roles) {
    role.id = r.Str();
    role.account_id = r.Str();
    role.title = r.Map();
    role.description = r.Map();
    role.restrict_from_level = r.Str();
    role.editor_types = r.Strings();
    role.inherits = r.Strings();
    role.statements.resize(r.Count());
    for (auto& s : role.statements) {
      s.allow = r.Byte() != 0;
      s.permissions = r.Strings();
    }
  }
  return image;
}

std::string EncodeAccountState(const AccountState& state) {
  std::string out;
  ByteWriter w(&out);
  WriteAccountBody(w, state);
  return out;
}

Result<std::unique_ptr<AccountState>> DecodeAccountState(std::string_view bytes) {
  ByteReader r(bytes);
  AccountState::Image image = ReadAccountBody(r);
  if (!r.ok() || r.left() != 0 || image.nodes.empty()) return Internal("an encoded account state is malformed");
  return AccountState::Restore(std::move(image));
}

}  // namespace gatehouse

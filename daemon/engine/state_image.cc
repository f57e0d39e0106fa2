#include "engine/state_image.h"

#include <algorithm>
#include <cstring>
#include <thread>

namespace gatehouse {
namespace {

constexpr char kMagic[4] = {'G', 'H', 'I', 'M'};
constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kUsersChunk = 1, kAccountsChunk = 2, kTrailerChunk = 3;
constexpr std::size_t kChunkHeadBytes = sizeof(kMagic) + 2;  // magic, version, kind
constexpr std::size_t kChecksumBytes = 8;

std::uint64_t Checksum(std::string_view bytes) {
  std::uint64_t h = 0x6A09E667F3BCC908ULL ^ bytes.size();
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 31;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001B3ULL;
  return h ^ (h >> 29);
}

// ---- writing ----

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void Byte(std::uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Signed(std::int64_t v) { Varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
  void Str(std::string_view s) {
    Varint(s.size());
    out_->append(s);
  }
  void Strings(const std::vector<std::string>& v) {
    Varint(v.size());
    for (const auto& s : v) Str(s);
  }
  void Map(const std::map<std::string, std::string>& m) {
    Varint(m.size());
    for (const auto& [k, v] : m) {
      Str(k);
      Str(v);
    }
  }
  void Restriction(const gatehouse::Restriction& r) {
    Byte(static_cast<std::uint8_t>(r.kind));
    Strings(r.asset_ids);
  }

 private:
  std::string* out_;
};

void WriteUser(Writer& w, const User& u) {
  w.Str(u.id);
  w.Str(u.email);
  w.Str(u.first_name);
  w.Str(u.last_name);
  w.Str(u.profile_image);
}

void WriteAccountBody(Writer& w, const AccountState& state) {
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

// Collects entries into chunks of about `limit` bytes and hands each to the sink.
class ChunkWriter {
 public:
  ChunkWriter(const std::function<Status(std::string)>& sink, std::size_t limit) : sink_(sink), limit_(limit) {}

  Status Add(std::uint8_t kind, const std::string& entry) {
    if (kind_ != kind || body_.size() + entry.size() > limit_) GH_RETURN_IF_ERROR(Flush());
    kind_ = kind;
    body_ += entry;
    ++count_;
    return Status::Ok();
  }

  Status Flush() {
    if (count_ == 0) return Status::Ok();
    std::string chunk(kMagic, sizeof(kMagic));
    chunk.push_back(static_cast<char>(kVersion));
    chunk.push_back(static_cast<char>(kind_));
    Writer(&chunk).Varint(count_);
    chunk += body_;
    const std::uint64_t sum = Checksum(chunk);
    char tail[kChecksumBytes];
    std::memcpy(tail, &sum, sizeof tail);
    chunk.append(tail, sizeof tail);
    body_.clear();
    count_ = 0;
    ++chunks_;
    return sink_(std::move(chunk));
  }

  std::uint64_t chunks() const { return chunks_; }

 private:
  const std::function<Status(std::string)>& sink_;
  std::size_t limit_;
  std::uint8_t kind_ = 0;
  std::string body_;
  std::uint64_t count_ = 0;
  std::uint64_t chunks_ = 0;
};

// ---- reading ----

// Reads one chunk's entries. Any read past the end or any count larger than the bytes
// left marks the reader bad; values read after that are zero, and the caller checks ok().
class Reader {
 public:
  Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool ok() const { return ok_; }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  const char* position() const { return p_; }
  void Skip(std::size_t n) {
    if (n > left()) return Fail();
    p_ += n;
  }
  std::uint8_t Byte() {
    if (p_ == end_) {
      Fail();
      return 0;
    }
    return static_cast<std::uint8_t>(*p_++);
  }
  std::uint64_t Varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) break;
      const auto b = static_cast<std::uint8_t>(*p_++);
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail();
    return 0;
  }
  std::uint32_t Index() {
    const std::uint64_t v = Varint();
    if (v > 0xFFFFFFFFull) Fail();
    return ok_ ? static_cast<std::uint32_t>(v) : 0;
  }
  std::int64_t Signed() {
    const std::uint64_t v = Varint();
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  // A count of elements that take at least one byte each: never more than the bytes left.
  std::size_t Count() {
    const std::uint64_t n = Varint();
    if (n > left()) {
      Fail();
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  std::string Str() {
    const std::uint64_t n = Varint();
    if (n > left()) {
      Fail();
      return {};
    }
    std::string s(p_, static_cast<std::size_t>(n));
    p_ += n;
    return s;
  }
  std::vector<std::string> Strings() {
    std::vector<std::string> v(Count());
    for (auto& s : v) s = Str();
    return v;
  }
  std::map<std::string, std::string> Map() {
    std::map<std::string, std::string> m;
    for (std::size_t n = Count(); n > 0 && ok_; --n) {
      std::string k = Str();
      m[std::move(k)] = Str();
    }
    return m;
  }
  gatehouse::Restriction Restriction() {
    gatehouse::Restriction r;
    r.kind = Kind(Byte());
    r.asset_ids = Strings();
    return r;
  }
  Restriction::Kind Kind(std::uint8_t v) {
    if (v > static_cast<std::uint8_t>(Restriction::Kind::kFolders)) Fail();
    return static_cast<Restriction::Kind>(ok_ ? v : 0);
  }
  SubjectType Type(std::uint8_t v) {
    if (v >= kSubjectTypeCount) Fail();
    return static_cast<SubjectType>(ok_ ? v : 0);
  }

 private:
  void Fail() {
    ok_ = false;
    p_ = end_;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

User ReadUser(Reader& r) {
  User u;
  u.id = r.Str();
  u.email = r.Str();
  u.first_name = r.Str();
  u.last_name = r.Str();
  u.profile_image = r.Str();
  return u;
}

AccountState::Image ReadAccountBody(Reader& r) {
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

struct Trailer {
  std::uint64_t revision = 0;
  std::uint64_t max_assignment_id = 0;
  std::uint64_t chunks = 0;  // before the trailer
  std::uint64_t users = 0;
  std::uint64_t accounts = 0;
};

Status Corrupt(std::size_t chunk, const std::string& what) {
  return Internal("snapshot chunk " + std::to_string(chunk) + ": " + what);
}

// Checks a chunk's frame; on success `body` reads its entries and *kind, *count are set.
Status OpenChunk(const std::vector<std::string>& chunks, std::size_t index, std::uint8_t* kind, std::size_t* count,
                 std::string_view* body) {
  const std::string& chunk = chunks[index];
  if (chunk.size() < kChunkHeadBytes + 1 + kChecksumBytes || std::memcmp(chunk.data(), kMagic, sizeof kMagic) != 0) {
    return Corrupt(index, "not a Gatehouse state image (bad magic or too short)");
  }
  if (static_cast<std::uint8_t>(chunk[sizeof kMagic]) != kVersion) {
    return Corrupt(index, "format version " + std::to_string(static_cast<unsigned char>(chunk[sizeof kMagic])) +
                              " is not one this build reads (1)");
  }
  const std::string_view framed(chunk.data(), chunk.size() - kChecksumBytes);
  std::uint64_t stored;
  std::memcpy(&stored, chunk.data() + framed.size(), sizeof stored);
  if (Checksum(framed) != stored) return Corrupt(index, "checksum mismatch (the bytes were changed or cut)");
  *kind = static_cast<std::uint8_t>(chunk[sizeof kMagic + 1]);
  Reader r(framed.substr(kChunkHeadBytes));
  *count = r.Count();
  if (!r.ok()) return Corrupt(index, "bad entry count");
  *body = std::string_view(r.position(), r.left());
  return Status::Ok();
}

Result<Trailer> ReadTrailer(const std::vector<std::string>& chunks) {
  if (chunks.empty()) return Internal("snapshot: no chunks");
  std::uint8_t kind;
  std::size_t count;
  std::string_view body;
  const std::size_t last = chunks.size() - 1;
  GH_RETURN_IF_ERROR(OpenChunk(chunks, last, &kind, &count, &body));
  if (kind != kTrailerChunk || count != 1) return Corrupt(last, "the last chunk is not the trailer");
  Reader r(body);
  Trailer t;
  t.revision = r.Varint();
  t.max_assignment_id = r.Varint();
  t.chunks = r.Varint();
  t.users = r.Varint();
  t.accounts = r.Varint();
  if (!r.ok() || r.left() != 0) return Corrupt(last, "bad trailer");
  if (t.chunks != last) {
    return Corrupt(last, "the trailer counts " + std::to_string(t.chunks) + " chunks before it, there are " +
                             std::to_string(last));
  }
  return t;
}

// Decodes the entries of one users or accounts chunk. `only` (non-empty): decode just that
// account and skip the rest.
struct ChunkContents {
  std::vector<User> users;
  std::vector<std::unique_ptr<AccountState>> accounts;
};
Status DecodeChunk(const std::vector<std::string>& chunks, std::size_t index, std::string_view only,
                   ChunkContents* out) {
  std::uint8_t kind;
  std::size_t count;
  std::string_view body;
  GH_RETURN_IF_ERROR(OpenChunk(chunks, index, &kind, &count, &body));
  Reader r(body);
  if (kind == kUsersChunk) {
    out->users.reserve(out->users.size() + count);
    for (std::size_t i = 0; i < count && r.ok(); ++i) out->users.push_back(ReadUser(r));
  } else if (kind == kAccountsChunk) {
    for (std::size_t i = 0; i < count && r.ok(); ++i) {
      const std::size_t length = r.Count();
      if (!r.ok()) break;
      Reader entry(std::string_view(r.position(), length));
      r.Skip(length);
      if (!only.empty()) {
        Reader peek = entry;
        if (peek.Str() != only) continue;
      }
      AccountState::Image image = ReadAccountBody(entry);
      if (!entry.ok() || entry.left() != 0 || image.nodes.empty()) {
        return Corrupt(index, "account entry " + std::to_string(i) + " is malformed");
      }
      auto state = AccountState::Restore(std::move(image));
      if (!state.ok()) return Corrupt(index, state.status().message());
      out->accounts.push_back(std::move(*state));
    }
  } else {
    return Corrupt(index, "unexpected chunk kind " + std::to_string(kind));
  }
  if (!r.ok() || r.left() != 0) return Corrupt(index, "entries do not fill the chunk exactly");
  return Status::Ok();
}

Result<std::shared_ptr<const Snapshot>> Assemble(const Trailer& trailer, std::vector<ChunkContents> parts,
                                                 std::shared_ptr<const PolicySet> policies, bool check_counts) {
  auto snapshot = std::make_shared<Snapshot>(std::move(policies), trailer.revision);
  snapshot->set_max_assignment_id(trailer.max_assignment_id);
  std::vector<std::pair<std::string, std::optional<User>>> users;
  std::vector<std::pair<std::string, std::optional<ApiKeyRef>>> keys;
  std::vector<std::pair<std::string, std::optional<std::string>>> tokens;
  std::vector<std::shared_ptr<const AccountState>> states;
  for (auto& part : parts) {
    for (auto& u : part.users) {
      std::string id = u.id;
      users.emplace_back(std::move(id), std::move(u));
    }
    for (auto& state : part.accounts) {
      for (const auto& k : state->api_keys()) keys.emplace_back(k.key_hash, ApiKeyRef{k.account_id, k.id, k.subject});
      for (const auto& i : state->invites()) tokens.emplace_back(i.token_hash, i.account_id);
      states.push_back(std::move(state));
    }
  }
  if (check_counts && (users.size() != trailer.users || states.size() != trailer.accounts)) {
    return Internal("snapshot: the trailer counts " + std::to_string(trailer.users) + " users and " +
                    std::to_string(trailer.accounts) + " accounts, the chunks hold " + std::to_string(users.size()) +
                    " and " + std::to_string(states.size()));
  }
  snapshot->PutAccounts(std::move(states));
  snapshot->mutable_users().Apply(users);
  snapshot->mutable_api_keys().Apply(keys);
  snapshot->mutable_invite_tokens().Apply(tokens);
  if (check_counts && snapshot->AccountCount() != trailer.accounts) return Internal("snapshot: an account repeats");
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace

Status EncodeStateImage(const Snapshot& snapshot, const std::function<Status(std::string chunk)>& sink,
                        std::size_t chunk_bytes) {
  ChunkWriter chunks(sink, chunk_bytes);
  std::uint64_t users = 0, accounts = 0;
  std::vector<const User*> sorted_users;
  snapshot.users().ForEach([&](const std::string&, const User& u) { sorted_users.push_back(&u); });
  std::sort(sorted_users.begin(), sorted_users.end(), [](const User* a, const User* b) { return a->id < b->id; });
  std::string entry;
  for (const User* u : sorted_users) {
    entry.clear();
    Writer w(&entry);
    WriteUser(w, *u);
    GH_RETURN_IF_ERROR(chunks.Add(kUsersChunk, entry));
    ++users;
  }
  std::vector<const AccountState*> sorted_accounts;
  snapshot.ForEachAccount([&](const AccountView& v) { sorted_accounts.push_back(v.state.get()); });
  std::sort(sorted_accounts.begin(), sorted_accounts.end(),
            [](const AccountState* a, const AccountState* b) { return a->account().id < b->account().id; });
  std::string body;
  for (const AccountState* state : sorted_accounts) {
    body.clear();
    Writer b(&body);
    WriteAccountBody(b, *state);
    entry.clear();
    Writer w(&entry);
    w.Varint(body.size());
    entry += body;
    GH_RETURN_IF_ERROR(chunks.Add(kAccountsChunk, entry));
    ++accounts;
  }
  GH_RETURN_IF_ERROR(chunks.Flush());
  entry.clear();
  Writer t(&entry);
  t.Varint(snapshot.revision());
  t.Varint(snapshot.max_assignment_id());
  t.Varint(chunks.chunks());
  t.Varint(users);
  t.Varint(accounts);
  GH_RETURN_IF_ERROR(chunks.Add(kTrailerChunk, entry));
  return chunks.Flush();
}

Result<std::shared_ptr<const Snapshot>> DecodeStateImage(const std::vector<std::string>& chunks,
                                                         std::shared_ptr<const PolicySet> policies, unsigned threads) {
  auto trailer = ReadTrailer(chunks);
  if (!trailer.ok()) return trailer.status();
  const std::size_t body_chunks = chunks.size() - 1;
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(body_chunks, 1))));
  std::vector<ChunkContents> parts(body_chunks);
  std::vector<Status> statuses(threads, Status::Ok());
  auto work = [&](unsigned t) {
    for (std::size_t i = t; i < body_chunks; i += threads) {
      Status st = DecodeChunk(chunks, i, {}, &parts[i]);
      if (!st.ok()) {
        statuses[t] = std::move(st);
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (auto& st : statuses) GH_RETURN_IF_ERROR(st);
  return Assemble(*trailer, std::move(parts), std::move(policies), true);
}

Result<std::shared_ptr<const Snapshot>> DecodeStateImageAccount(const std::vector<std::string>& chunks,
                                                                std::string_view account_id,
                                                                std::shared_ptr<const PolicySet> policies) {
  auto trailer = ReadTrailer(chunks);
  if (!trailer.ok()) return trailer.status();
  if (account_id.empty()) return InvalidArgument("an account id is required");
  std::vector<ChunkContents> parts(1);
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) GH_RETURN_IF_ERROR(DecodeChunk(chunks, i, account_id, &parts[0]));
  return Assemble(*trailer, std::move(parts), std::move(policies), false);
}

}  // namespace gatehouse

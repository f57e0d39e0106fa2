#include "engine/state_image.h"

#include "engine/account_codec.h"

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

void WriteUser(ByteWriter& w, const User& u) {
  w.Str(u.id);
  w.Str(u.email);
  w.Str(u.first_name);
  w.Str(u.last_name);
  w.Str(u.profile_image);
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
    ByteWriter(&chunk).Varint(count_);
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

User ReadUser(ByteReader& r) {
  User u;
  u.id = r.Str();
  u.email = r.Str();
  u.first_name = r.Str();
  u.last_name = r.Str();
  u.profile_image = r.Str();
  return u;
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
  ByteReader r(framed.substr(kChunkHeadBytes));
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
  ByteReader r(body);
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
  std::vector<std::string> encodings;  // each account's bytes: the form a snapshot keeps a small account in
};
Status DecodeChunk(const std::vector<std::string>& chunks, std::size_t index, std::string_view only,
                   ChunkContents* out) {
  std::uint8_t kind;
  std::size_t count;
  std::string_view body;
  GH_RETURN_IF_ERROR(OpenChunk(chunks, index, &kind, &count, &body));
  ByteReader r(body);
  if (kind == kUsersChunk) {
    out->users.reserve(out->users.size() + count);
    for (std::size_t i = 0; i < count && r.ok(); ++i) out->users.push_back(ReadUser(r));
  } else if (kind == kAccountsChunk) {
    for (std::size_t i = 0; i < count && r.ok(); ++i) {
      const std::size_t length = r.Count();
      if (!r.ok()) break;
      ByteReader entry(std::string_view(r.position(), length));
      r.Skip(length);
      if (!only.empty()) {
        ByteReader peek = entry;
        if (peek.Str() != only) continue;
      }
      auto state = DecodeAccountState(std::string_view(entry.position(), entry.left()));
      if (!state.ok()) return Corrupt(index, "account entry " + std::to_string(i) + ": " + state.status().message());
      out->accounts.push_back(std::move(*state));
      out->encodings.emplace_back(entry.position(), entry.left());
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
  std::vector<std::string> encodings;
  for (auto& part : parts) {
    for (auto& e : part.encodings) encodings.push_back(std::move(e));
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
  snapshot->PutAccounts(std::move(states), std::move(encodings));
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
    ByteWriter w(&entry);
    WriteUser(w, *u);
    GH_RETURN_IF_ERROR(chunks.Add(kUsersChunk, entry));
    ++users;
  }
  std::vector<const AccountView*> sorted_accounts;
  snapshot.ForEachAccount([&](const AccountView& v) { sorted_accounts.push_back(&v); });
  std::sort(sorted_accounts.begin(), sorted_accounts.end(),
            [](const AccountView* a, const AccountView* b) { return a->account_id() < b->account_id(); });
  std::string body;
  for (const AccountView* view : sorted_accounts) {
    body.clear();
    view->AppendEncoded(&body);
    entry.clear();
    ByteWriter w(&entry);
    w.Varint(body.size());
    entry += body;
    GH_RETURN_IF_ERROR(chunks.Add(kAccountsChunk, entry));
    ++accounts;
  }
  GH_RETURN_IF_ERROR(chunks.Flush());
  entry.clear();
  ByteWriter t(&entry);
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

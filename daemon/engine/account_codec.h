// AccountCodec: the compact binary form of one AccountState — what a state image stores
// for each account (engine/state_image.h) and how a Snapshot keeps a small account's
// state between the reads that need it (AccountView, engine/snapshot.h) — and the byte
// writer and reader both are built on.
//
// Encoding: integers as LEB128 varints (signed ones zigzagged), strings as a varint length
// and the bytes; an account writes its header, asset nodes (deleted ones included),
// subjects with their grants, multi-folder scopes, role slots, actors, invites, API keys
// and custom roles, in that order, with the indices AccountState uses. Decoding the bytes
// gives back a state that answers every question the encoded one did.
//
// DecodeAccountState checks every length against the bytes left and every index through
// AccountState::Restore: bytes that are not an encoded account give kInternal, never a
// state.
//
// Thread safety: pure functions; a ByteWriter/ByteReader belongs to one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "engine/account_state.h"

namespace gatehouse {

// Appends to a string.
class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
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

// Reads what ByteWriter wrote. Any read past the end or any count larger than the bytes
// left marks the reader bad; values read after that are zero, and the caller checks ok().
class ByteReader {
 public:
  ByteReader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
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

// The account's fields, appended to `w` / read from `r` (the caller checks r.ok()).
void WriteAccountBody(ByteWriter& w, const AccountState& state);
AccountState::Image ReadAccountBody(ByteReader& r);

// The whole account as bytes, and back.
std::string EncodeAccountState(const AccountState& state);
Result<std::unique_ptr<AccountState>> DecodeAccountState(std::string_view bytes);

}  // namespace gatehouse

// What the client commands print: tables for people, and errors in one form.
#pragma once

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client.h"

namespace gatehouse::cli {

// A table printed with each column as wide as its widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print() const {
    std::vector<std::size_t> width(rows_.front().size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    for (const auto& row : rows_) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
      }
      std::printf("%s\n", line.c_str());
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

// The strings of a JSON list joined by `sep`, or "-" when it is empty.
inline std::string JoinedOrDash(const nlohmann::json& list, const char* sep) {
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out += sep;
    out += item.get<std::string>();
  }
  return out.empty() ? "-" : out;
}

// Prints "gatehouse: MESSAGE" to stderr; returns the error exit code, 2.
inline int Fail(const std::string& message) {
  std::fprintf(stderr, "gatehouse: %s\n", message.c_str());
  return 2;
}

// The daemon refused `what`: its status and message.
inline int Refused(const std::string& what, const Response& r) {
  return Fail("the daemon refused " + what + " (" + std::to_string(r.status) + "): " + ServerMessage(r));
}

}  // namespace gatehouse::cli

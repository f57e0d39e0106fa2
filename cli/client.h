// The CLI's client of a running daemon: where it is, which key to send, and one call.
//
// Options (every client subcommand takes them): `--server URL` (else env GATEHOUSE_URL,
// else http://127.0.0.1:8080), `--key-file F` (else env GATEHOUSE_KEY_FILE; the file holds
// the key, surrounding whitespace ignored; no file = no Authorization header), `--account
// ID` for account-scoped calls (else env GATEHOUSE_ACCOUNT), `--timeout SECONDS` (30).
// Keys are never taken on the command line, where `ps` would show them.
//
// A call answers the status and body, or an error saying what failed (connection refused,
// TLS, timeout) with the server's address. ServerMessage() pulls the `message` out of the
// daemon's error body, so commands can print what the server said.
//
// Thread safety: a Client is used by one thread.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "core/status.h"

namespace gatehouse::cli {

struct ClientOptions {
  std::string server;
  std::string key_file;
  std::string account;
  int timeout_seconds = 30;

  // Adds --server, --key-file, --account, --timeout to a subcommand.
  void AddTo(CLI::App* command);
  // Fills what the flags left empty from the environment and the defaults.
  void ApplyDefaults();
};

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;
};

class Client {
 public:
  // kInvalidArgument for an unusable URL or an unreadable key file.
  static Result<Client> Open(ClientOptions options);

  Result<Response> Get(const std::string& path);
  Result<Response> Post(const std::string& path, const std::string& body,
                        const std::string& content_type = "application/json");
  Result<Response> Delete(const std::string& path);
  // A GET whose body goes to `out` as it arrives (an export); the Response's body holds
  // the answer only when it is not a 200.
  Result<Response> Download(const std::string& path, std::FILE* out);

  const std::string& server() const { return options_.server; }

 private:
  explicit Client(ClientOptions options, std::string key) : options_(std::move(options)), key_(std::move(key)) {}
  Result<Response> Send(const std::string& method, const std::string& path, const std::string* body,
                        const std::string& content_type, std::FILE* sink);

  ClientOptions options_;
  std::string key_;
};

// The `message` of a daemon error body, or the body itself when it has none.
std::string ServerMessage(const Response& r);

}  // namespace gatehouse::cli

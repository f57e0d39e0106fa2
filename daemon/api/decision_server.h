// DecisionServer: the decision path's own HTTP/1.1 listener (http.decisionListen), built on
// Boost.Beast over Asio: a few event-loop threads serve every connection, instead of
// cpp-httplib's one thread per connection — whose wake-ups and context switches, not the
// decisions, cap what the main listener serves (docs/benchmarks.md).
//
// It serves the same route table entries as the main listener (the kernel's handlers for
// POST /v1/check and /v1/check/batch, recorded by api::Router), so authentication, limits,
// answers and errors are the same; any other path is 404 with the Wix error body.
//
// Per connection: keep-alive and pipelined requests answered in order; each request
// (headers and body) must arrive, and its answer be taken, within idle_timeout of the
// previous answer (a request only moves the connection's deadline; one timer per
// connection wakes at it), else the connection is closed; headers over 16 KiB are refused with 431 and a body over
// max_body_bytes with 413 (both close the connection); malformed HTTP closes it. Streamed (chunked) answers are not
// supported here: no decision route produces one.
//
// Thread safety: Start and Stop from one thread; handlers run on the event-loop threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/router.h"
#include "core/status.h"

namespace gatehouse::api {

class DecisionServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;          // 0 = pick a free port
    unsigned threads = 0;  // event-loop threads; 0 = one per core
    std::size_t max_body_bytes = 1048576;
    std::int64_t idle_timeout_ms = 30000;
  };

  DecisionServer(Options options, std::vector<Router::Recorded> routes);
  ~DecisionServer();

  // Binds (no SO_REUSEPORT: a taken address is an error naming it) and starts serving;
  // returns the bound port.
  Result<int> Start();
  // Stops accepting, closes every connection and joins the threads.
  void Stop();

  struct Impl;  // the event loops and connections (decision_server.cc only)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::api

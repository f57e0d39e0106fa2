// Backup and migration: GET /v1/admin/export streams every piece of data at one revision
// as NDJSON; POST /v1/admin/import takes that stream into an empty daemon, all or nothing.
// The lines after the header are changes in the change log's own encoding (the codec's
// EncodeChange), so an export is read with the same code as the log.
#include <string_view>

#include "api/route_kernel.h"
#include "api/routes.h"
#include "team/state_export.h"

namespace gatehouse::api {
namespace {

constexpr const char* kExportFormat = "gatehouse-export/1";

Result<Reply> ExportReply(const ApiServices& s, Call& c) {
  if (s.codec == nullptr) return FailedPrecondition("export is not available");
  struct State {
    explicit State(std::shared_ptr<const Snapshot> snap) : exporter(std::move(snap)) {}
    StateExport exporter;
    bool started = false;
  };
  auto st = std::make_shared<State>(c.snapshot);
  const std::string header =
      json{{"format", kExportFormat}, {"revision", c.snapshot->revision()}, {"exportedAt", FormatRfc3339(c.now)}}
          .dump() +
      "\n";
  const ChangeCodec* codec = s.codec;
  Reply reply = Reply::Streamed("application/x-ndjson", [st, header, codec](std::string* out) {
    if (!st->started) {
      st->started = true;
      *out = header;
    }
    std::vector<Change> changes;
    const bool more = st->exporter.Next(&changes);
    for (const auto& change : changes) *out += codec->EncodeChange(change) + "\n";
    return more;
  });
  reply.headers.emplace_back("X-Gatehouse-Revision", std::to_string(c.snapshot->revision()));
  return reply;
}

Result<Reply> ImportReply(const ApiServices& s, Call& c) {
  if (s.codec == nullptr || s.importer == nullptr) return FailedPrecondition("import is not available");
  const std::string_view body = c.http.body;
  std::vector<Change> changes;
  std::size_t line_no = 0;
  bool header_seen = false;
  for (std::size_t start = 0; start < body.size();) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string line(body.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!header_seen) {
      const json h = json::parse(line, nullptr, false);
      if (!h.is_object() || h.value("format", std::string()) != kExportFormat) {
        return InvalidArgument("line 1: expected the export header {\"format\": \"" + std::string(kExportFormat) +
                               "\", ...}");
      }
      header_seen = true;
      continue;
    }
    auto change = s.codec->DecodeChange(line);
    if (!change.ok()) return InvalidArgument("line " + std::to_string(line_no) + ": " + change.status().message());
    changes.push_back(std::move(*change));
  }
  if (!header_seen) return InvalidArgument("the body is empty: expected an export (NDJSON, a header line first)");
  auto outcome = s.importer->Import(std::move(changes));
  if (!outcome.ok()) return outcome.status();
  Reply reply = Reply::Json(200, {{"imported", true},
                                  {"revision", outcome->revision},
                                  {"changes", outcome->changes},
                                  {"changeSets", outcome->change_sets}});
  reply.headers.emplace_back("X-Gatehouse-Revision", std::to_string(outcome->revision));
  return reply;
}

}  // namespace

void RegisterTransferRoutes(Router& server, const ApiServices& services, const ApiOptions& options) {
  const ApiServices* s = &services;
  Route import_route{
      "POST", "/v1/admin/import", Access::kSystem, "", false, [s](Call& c) { return ImportReply(*s, c); }};
  import_route.raw_body_limit = options.max_import_bytes;
  import_route.raw_body_setting = "http.maxImportBytes";
  Serve(server, services,
        {
            {"GET", "/v1/admin/export", Access::kSystem, "", false, [s](Call& c) { return ExportReply(*s, c); }},
            std::move(import_route),
        });
}

}  // namespace gatehouse::api

/*
 * Gatehouse plugin ABI (C). A plugin is a shared library that exports one symbol,
 * GH_PLUGIN_ENTRY ("gatehouse_plugin_entry"). The host (gatehoused, the gatehouse CLI)
 * loads it, calls the entry with the ABI majors it supports, and gets back a descriptor:
 * who the plugin is, which options it takes, and a table of functions of its kind.
 *
 * Stability rules, for every struct here:
 *  - Each struct starts with `struct_size`; structs only ever grow at the end, one minor
 *    version at a time. A reader checks struct_size before touching a field added in a later
 *    minor version: a field beyond struct_size is absent (a function: as if NULL).
 *  - The host accepts any struct at least as large as the ABI 1.0 layout (the
 *    GH_*_SIZE_1_0 constants below), so a plugin built against 1.0 keeps loading on every
 *    1.x host; a plugin built against 1.1 on a 1.1 host gets the 1.1 fields read.
 *  - Function-table entries marked "Optional" may be NULL; every other entry is required,
 *    and the host refuses a table with a NULL required entry, naming it.
 *  - Status numbers are stable and never reused.
 *  - Strings cross as gh_str views (pointer + length, not NUL-terminated) that are
 *    borrowed: valid only for the duration of the call that passes them.
 *  - Memory is freed on the side that allocated it. Neither side frees the other's memory.
 *  - No C++ types, exceptions or allocators cross this boundary. A plugin must not let an
 *    exception escape any function of its tables (the C++ layer, plugin.hpp, guards this).
 *  - Plugins never link against the daemon: everything they may call on the host comes in
 *    the gh_host_api table.
 *
 * Thread safety: the host may call one instance's functions from several threads at
 * once, except create/destroy; a plugin that cannot cope serializes internally.
 */
#ifndef GATEHOUSE_PLUGIN_H_
#define GATEHOUSE_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GH_ABI_MAJOR 1
#define GH_ABI_MINOR 3 /* 1.1: gh_storage_vtable.metrics; 1.2: wait_for_changes, leases; 1.3: snapshots */
#define GH_PLUGIN_ENTRY gatehouse_plugin_entry
#define GH_PLUGIN_ENTRY_NAME "gatehouse_plugin_entry"

#if defined(__GNUC__)
#define GH_EXPORT __attribute__((visibility("default")))
#else
#define GH_EXPORT
#endif

/* Status codes. Stable numbers; never reused. */
typedef int32_t gh_status;
#define GH_OK 0
#define GH_ERR_INVALID_ARGUMENT 1 /* bad options or input; retrying will not help */
#define GH_ERR_NOT_FOUND 2        /* the named thing does not exist */
#define GH_ERR_CONFLICT 3         /* append: the log's head is not the expected one */
#define GH_ERR_UNAVAILABLE 4      /* environment failure; nothing was changed */
#define GH_ERR_INTERNAL 5         /* a bug or corruption */
#define GH_ERR_RETRYABLE 6        /* notifier: delivery failed, try again later */
#define GH_ERR_PERMANENT 7        /* notifier: delivery can never succeed; the host skips it */
/* A notifier's GH_ERR_INTERNAL, or any status not listed here, is retried like
 * GH_ERR_RETRYABLE: only an explicit GH_ERR_PERMANENT makes the host skip events. */

/* Plugin kinds. */
#define GH_KIND_STORAGE 1
#define GH_KIND_NOTIFIER 2

/* A string view. OWNERSHIP: borrowed; valid only during the call that passes it. */
typedef struct gh_str {
  const char* data;
  size_t len;
} gh_str;

/* An error message buffer. OWNERSHIP: owned by the caller (host); the plugin writes a
 * NUL-terminated message of at most sizeof(message)-1 bytes into it on failure. The host
 * zeroes it before each call and never reads past the last byte, NUL or not. */
typedef struct gh_error {
  uint32_t struct_size;
  char message[1024];
} gh_error;

/* Option value types, for validation and documentation. */
#define GH_OPT_STRING 1
#define GH_OPT_INT 2
#define GH_OPT_BOOL 3
#define GH_OPT_DURATION                                            \
  4 /* written "30s", "5m", "1h30m", "250ms"; handed to the plugin \
       as whole milliseconds: "5400000ms" */

/* One option a plugin accepts. OWNERSHIP: plugin-owned static data, valid while the
 * library is loaded. default_value may be NULL (no default); then `required` says whether
 * the host must refuse a config that omits it. */
typedef struct gh_option_spec {
  uint32_t struct_size;
  const char* name;
  uint32_t type;
  const char* default_value;
  const char* description;
  int32_t required;
} gh_option_spec;

/* One configured option, already validated by the host and with defaults filled in.
 * OWNERSHIP: borrowed for the create call. */
typedef struct gh_option {
  gh_str name;
  gh_str value;
} gh_option;

/* Log levels for gh_host_api.log. */
#define GH_LOG_DEBUG 0
#define GH_LOG_INFO 1
#define GH_LOG_WARN 2
#define GH_LOG_ERROR 3

/* What the host offers a plugin. OWNERSHIP: host-owned; valid from create until destroy
 * returns. */
typedef struct gh_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  void* host_ctx;
  void (*log)(void* host_ctx, int32_t level, gh_str message);
} gh_host_api;

/* ---- Storage: the durable change log -------------------------------------------- */

/* One committed change set. OWNERSHIP: borrowed for the call that passes it. */
typedef struct gh_record {
  uint32_t struct_size;
  uint64_t revision; /* ignored on append: the log assigns expected_head+1, +2, ... */
  gh_str type;
  gh_str account_id;
  gh_str actor;
  int64_t at_ms; /* ms since the Unix epoch, UTC */
  gh_str payload;
} gh_record;

/* The host's receiver for streamed records. Returning non-GH_OK stops the stream, and the
 * plugin function returns that status. */
typedef gh_status (*gh_record_sink)(void* ctx, const gh_record* record);
/* The host's receiver for a value (copied by the host during the call). */
typedef void (*gh_value_sink)(void* ctx, gh_str value);
/* The host's receiver for one gauge: `name` is lower_snake_case with its unit
 * ("wal_bytes"); the host publishes it as gatehouse_storage_<name>. */
typedef void (*gh_metric_sink)(void* ctx, gh_str name, double value);

/* ABI 1.3: one stored snapshot of the host's state. OWNERSHIP: borrowed for the call. */
typedef struct gh_snapshot_info {
  uint32_t struct_size;
  uint64_t revision;   /* the log revision the snapshot's state reflects */
  int64_t taken_at_ms; /* when the host wrote it, ms since the Unix epoch */
  uint64_t bytes;      /* the size of its chunks together */
} gh_snapshot_info;
/* The host's receiver for snapshot listings (copied by the host during the call). */
typedef void (*gh_snapshot_info_sink)(void* ctx, const gh_snapshot_info* info);
/* The host's receiver for a snapshot's chunks, in order. Returning non-GH_OK stops the
 * stream, and the plugin function returns that status. */
typedef gh_status (*gh_chunk_sink)(void* ctx, gh_str chunk);

typedef struct gh_storage gh_storage; /* opaque plugin instance */

typedef struct gh_storage_vtable {
  uint32_t struct_size;
  /* Opens the backend. On success *out owns an instance that the host releases with
   * destroy. The host API pointer stays valid until destroy returns. */
  gh_status (*create)(const gh_host_api* host, const gh_option* options, size_t option_count, gh_storage** out,
                      gh_error* err);
  void (*destroy)(gh_storage* self);
  /* Streams every record in revision order; sets *head to the last revision (0: empty). */
  gh_status (*load)(gh_storage* self, gh_record_sink sink, void* ctx, uint64_t* head, gh_error* err);
  /* Appends records atomically and durably: all get revisions expected_head+1.., or none
   * is stored. GH_ERR_CONFLICT when the head is not expected_head. */
  gh_status (*append)(gh_storage* self, const gh_record* records, size_t count, uint64_t expected_head,
                      uint64_t* new_head, gh_error* err);
  /* Streams up to `limit` records with revision > since; *count = how many. */
  gh_status (*read_since)(gh_storage* self, uint64_t since, size_t limit, gh_record_sink sink, void* ctx, size_t* count,
                          gh_error* err);
  gh_status (*head)(gh_storage* self, uint64_t* head, gh_error* err);
  /* Named cursors. get: GH_ERR_NOT_FOUND when unset, else the value goes to sink. */
  gh_status (*cursor_get)(gh_storage* self, gh_str name, gh_value_sink sink, void* ctx, gh_error* err);
  gh_status (*cursor_put)(gh_storage* self, gh_str name, gh_str value, gh_error* err);
  /* Optional (may be NULL): reclaim space; must not change what load/read_since return. */
  gh_status (*compact)(gh_storage* self, gh_error* err);
  /* ---- ABI 1.1 ---- */
  /* Optional (may be NULL): reports the backend's gauges (sizes, lags) through sink; the
   * host calls it when /metrics is scraped, from any thread. Must be cheap. */
  gh_status (*metrics)(gh_storage* self, gh_metric_sink sink, void* ctx, gh_error* err);
  /* ---- ABI 1.2: a log shared by several daemons ---- */
  /* Optional (may be NULL): blocks until the log's head is past `since` or `timeout_ms`
   * passes, whichever is first, and sets *head to the head it last saw (which may still
   * be `since` on a timeout). A backend that several daemons append to implements it, and
   * then every daemon follows the log: it applies the others' records as they commit.
   * NULL: the instance is the log's only writer (one daemon per SQLite file). Called from
   * one host thread at a time; must return within about timeout_ms even when the backend
   * is unreachable (GH_ERR_UNAVAILABLE). */
  gh_status (*wait_for_changes)(gh_storage* self, uint64_t since, uint32_t timeout_ms, uint64_t* head, gh_error* err);
  /* Optional (may be NULL; both or neither): a named lease that at most one instance over
   * the same log holds at a time — how a cluster lets one daemon deliver a notifier's
   * events. try_lease takes the lease when it is free, or confirms that this instance still
   * holds it, and sets *held to 1 or 0. A lease ends with release_lease, with destroy, or
   * when the instance's session with the backend dies (so a crashed daemon's lease passes
   * to another). NULL: the instance is the only one, and holds every lease. */
  gh_status (*try_lease)(gh_storage* self, gh_str name, int32_t* held, gh_error* err);
  gh_status (*release_lease)(gh_storage* self, gh_str name, gh_error* err);
  /* ---- ABI 1.3: snapshots, and forgetting the history before one ---- */
  /* Optional (may be NULL; all five or none). A snapshot is the host's state at a
   * revision, as opaque chunks the plugin stores and gives back byte for byte. With them,
   * start-up loads the newest snapshot and replays only the records after it, and old
   * history can be forgotten. NULL: the host replays the whole log at every start. */
  /* Stores the snapshot of revision `revision` (at most the head) as `count` chunks, in
   * order, durably and atomically: after a crash at any point either all of it is stored
   * or none of it. A snapshot already stored at that revision is replaced. */
  gh_status (*snapshot_put)(gh_storage* self, uint64_t revision, int64_t taken_at_ms, const gh_str* chunks,
                            size_t count, gh_error* err);
  /* Lists the stored snapshots, oldest first, and sets *forgotten_through to the revision
   * through which records were forgotten (0: none; load and read_since start after it). */
  gh_status (*snapshot_list)(gh_storage* self, gh_snapshot_info_sink sink, void* ctx, uint64_t* forgotten_through,
                             gh_error* err);
  /* Streams the chunks of the snapshot at `revision`, in order; GH_ERR_NOT_FOUND when
   * there is none. */
  gh_status (*snapshot_read)(gh_storage* self, uint64_t revision, gh_chunk_sink sink, void* ctx, gh_error* err);
  /* Forgets history, atomically: deletes every record with revision <= `through` and every
   * snapshot older than `through`, and remembers `through` (snapshot_list reports it).
   * Requires a stored snapshot at exactly `through`: GH_ERR_NOT_FOUND and nothing changed
   * otherwise. A `through` not past what was already forgotten changes nothing. Cursors
   * and leases are untouched; the head does not move (an emptied log keeps its head). */
  gh_status (*forget_history)(gh_storage* self, uint64_t through, gh_error* err);
  /* Deletes the snapshot at `revision` (the host thins out old ones); GH_ERR_NOT_FOUND
   * when there is none. The snapshot history was forgotten through cannot be deleted
   * (GH_ERR_INVALID_ARGUMENT): the remaining history starts from it. */
  gh_status (*snapshot_drop)(gh_storage* self, uint64_t revision, gh_error* err);
} gh_storage_vtable;

/* The smallest gh_storage_vtable the host accepts: the ABI 1.0 layout (up to compact). */
#define GH_STORAGE_VTABLE_SIZE_1_0 (offsetof(gh_storage_vtable, metrics))

/* ---- Notifier: delivers committed changes as events ----------------------------- */

/* One event. data_json is the record's payload (a JSON object). OWNERSHIP: borrowed. */
typedef struct gh_event {
  uint32_t struct_size;
  uint64_t revision;
  gh_str type;
  gh_str account_id;
  gh_str actor;
  int64_t at_ms;
  gh_str data_json;
} gh_event;

typedef struct gh_notifier gh_notifier; /* opaque plugin instance */

typedef struct gh_notifier_vtable {
  uint32_t struct_size;
  gh_status (*create)(const gh_host_api* host, const gh_option* options, size_t option_count, gh_notifier** out,
                      gh_error* err);
  void (*destroy)(gh_notifier* self);
  /* Delivers a batch in order. GH_OK: all delivered. GH_ERR_RETRYABLE: none is taken as
   * delivered; the host retries the same batch with backoff. GH_ERR_PERMANENT: the host
   * records the failure and moves on. */
  gh_status (*deliver)(gh_notifier* self, const gh_event* events, size_t count, gh_error* err);
} gh_notifier_vtable;

/* The smallest gh_notifier_vtable the host accepts: the ABI 1.0 layout. */
#define GH_NOTIFIER_VTABLE_SIZE_1_0 (sizeof(gh_notifier_vtable))

/* ---- The descriptor and the entry point ----------------------------------------- */

/* OWNERSHIP: plugin-owned static data, valid while the library is loaded. */
typedef struct gh_plugin_descriptor {
  uint32_t struct_size;
  uint32_t abi_major; /* the ABI the plugin was built against (one the host offered) */
  uint32_t abi_minor;
  uint32_t kind;    /* GH_KIND_* */
  const char* name; /* "sqlite": the file is gatehouse-<kind>-<name>.so */
  const char* version;
  const char* description;
  const gh_option_spec* options;
  size_t option_count;
  const void* vtable; /* gh_storage_vtable* or gh_notifier_vtable*, by kind */
} gh_plugin_descriptor;

/* The smallest descriptor, option spec and host API the other side accepts (ABI 1.0). */
#define GH_PLUGIN_DESCRIPTOR_SIZE_1_0 (sizeof(gh_plugin_descriptor))
#define GH_OPTION_SPEC_SIZE_1_0 (sizeof(gh_option_spec))

/* The entry point. `supported_majors` lists the ABI majors the host can speak; the plugin
 * returns its descriptor for one of them, or NULL when it supports none. */
typedef const gh_plugin_descriptor* (*gh_plugin_entry_fn)(const uint32_t* supported_majors, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* GATEHOUSE_PLUGIN_H_ */

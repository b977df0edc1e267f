/*
 * tests/wasi/wasi02.h - the WASI 0.2 imports the test programs of
 * tests/wasi use, declared at the core-module level exactly as
 * core-signatures-0.2.12.tsv lists them (canonical ABI flattening: i32
 * handles, pointers and enums; i64 for u64; results that do not flatten to
 * one value through a trailing return-area pointer). The import modules
 * carry various 0.2.N versions on purpose: a host must accept any.
 *
 * Written for the tests; the apps have their own SDK in apps/include.
 */
#ifndef TESTS_WASI_WASI02_H
#define TESTS_WASI_WASI02_H

#include <stdint.h>

#define IMP(m, n) __attribute__((import_module(m), import_name(n)))

/* cabi_realloc, exported by tests/wasi/cabi.c */
void *cabi_realloc(void *old, uint32_t old_size, uint32_t align, uint32_t new_size);

/* wasi:io */
IMP("wasi:io/poll@0.2.0", "[method]pollable.ready") int32_t pollable_ready(int32_t p);
IMP("wasi:io/poll@0.2.0", "[method]pollable.block") void pollable_block(int32_t p);
IMP("wasi:io/poll@0.2.0", "poll") void io_poll(const int32_t *list, int32_t n, void *ret);
IMP("wasi:io/poll@0.2.0", "[resource-drop]pollable") void pollable_drop(int32_t p);
IMP("wasi:io/error@0.2.0", "[method]error.to-debug-string")
void error_to_debug_string(int32_t e, void *ret);
IMP("wasi:io/error@0.2.0", "[resource-drop]error") void error_drop(int32_t e);
IMP("wasi:io/streams@0.2.0", "[method]input-stream.read")
void input_read(int32_t s, int64_t len, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]input-stream.blocking-read")
void input_blocking_read(int32_t s, int64_t len, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]input-stream.blocking-skip")
void input_blocking_skip(int32_t s, int64_t len, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]input-stream.subscribe") int32_t input_subscribe(int32_t s);
IMP("wasi:io/streams@0.2.0", "[resource-drop]input-stream") void input_drop(int32_t s);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.check-write")
void output_check_write(int32_t s, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.write")
void output_write(int32_t s, const void *p, int32_t n, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush")
void output_blocking_write_and_flush(int32_t s, const void *p, int32_t n, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.blocking-flush")
void output_blocking_flush(int32_t s, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.write-zeroes")
void output_write_zeroes(int32_t s, int64_t n, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.blocking-splice")
void output_blocking_splice(int32_t s, int32_t src, int64_t n, void *ret);
IMP("wasi:io/streams@0.2.0", "[method]output-stream.subscribe") int32_t output_subscribe(int32_t s);
IMP("wasi:io/streams@0.2.0", "[resource-drop]output-stream") void output_drop(int32_t s);

/* wasi:clocks, wasi:random, wasi:cli */
IMP("wasi:clocks/monotonic-clock@0.2.3", "now") int64_t mono_now(void);
IMP("wasi:clocks/monotonic-clock@0.2.3", "resolution") int64_t mono_resolution(void);
IMP("wasi:clocks/monotonic-clock@0.2.3", "subscribe-duration")
int32_t mono_subscribe_duration(int64_t ns);
IMP("wasi:clocks/monotonic-clock@0.2.3", "subscribe-instant")
int32_t mono_subscribe_instant(int64_t ns);
IMP("wasi:clocks/wall-clock@0.2.3", "now") void wall_now(void *ret);
IMP("wasi:clocks/wall-clock@0.2.3", "resolution") void wall_resolution(void *ret);
IMP("wasi:random/random@0.2.12", "get-random-bytes") void random_bytes(int64_t n, void *ret);
IMP("wasi:random/random@0.2.12", "get-random-u64") int64_t random_u64(void);
IMP("wasi:random/insecure@0.2.12", "get-insecure-random-u64") int64_t insecure_u64(void);
IMP("wasi:random/insecure-seed@0.2.12", "insecure-seed") void insecure_seed(void *ret);
IMP("wasi:cli/environment@0.2.0", "get-arguments") void cli_get_arguments(void *ret);
IMP("wasi:cli/environment@0.2.0", "get-environment") void cli_get_environment(void *ret);
IMP("wasi:cli/environment@0.2.0", "initial-cwd") void cli_initial_cwd(void *ret);
IMP("wasi:cli/exit@0.2.0", "exit") void cli_exit(int32_t err);
IMP("wasi:cli/stdin@0.2.0", "get-stdin") int32_t cli_get_stdin(void);
IMP("wasi:cli/stdout@0.2.0", "get-stdout") int32_t cli_get_stdout(void);
IMP("wasi:cli/stderr@0.2.0", "get-stderr") int32_t cli_get_stderr(void);
IMP("wasi:cli/terminal-stdout@0.2.0", "get-terminal-stdout")
void cli_get_terminal_stdout(void *ret);

/* wasi:sockets */
IMP("wasi:sockets/instance-network@0.2.0", "instance-network") int32_t instance_network(void);
IMP("wasi:sockets/network@0.2.0", "[resource-drop]network") void network_drop(int32_t n);
IMP("wasi:sockets/ip-name-lookup@0.2.0", "resolve-addresses")
void resolve_addresses(int32_t net, const char *name, int32_t len, void *ret);
IMP("wasi:sockets/ip-name-lookup@0.2.0", "[method]resolve-address-stream.resolve-next-address")
void resolve_next_address(int32_t s, void *ret);
IMP("wasi:sockets/ip-name-lookup@0.2.0", "[method]resolve-address-stream.subscribe")
int32_t resolve_subscribe(int32_t s);
IMP("wasi:sockets/ip-name-lookup@0.2.0", "[resource-drop]resolve-address-stream")
void resolve_drop(int32_t s);
IMP("wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket")
void create_tcp_socket(int32_t family, void *ret);
#define ADDR4_PARAMS                                                                               \
    int32_t tag, int32_t port, int32_t a0, int32_t a1, int32_t a2, int32_t a3, int32_t p6,         \
        int32_t p7, int32_t p8, int32_t p9, int32_t p10, int32_t p11
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.start-bind")
void tcp_start_bind(int32_t s, int32_t net, ADDR4_PARAMS, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.finish-bind")
void tcp_finish_bind(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.start-connect")
void tcp_start_connect(int32_t s, int32_t net, ADDR4_PARAMS, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.finish-connect")
void tcp_finish_connect(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.start-listen")
void tcp_start_listen(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.finish-listen")
void tcp_finish_listen(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.accept") void tcp_accept(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.local-address")
void tcp_local_address(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.remote-address")
void tcp_remote_address(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.subscribe") int32_t tcp_subscribe(int32_t s);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.shutdown")
void tcp_shutdown(int32_t s, int32_t how, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.is-listening")
int32_t tcp_is_listening(int32_t s);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.set-keep-alive-enabled")
void tcp_set_keep_alive_enabled(int32_t s, int32_t on, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.keep-alive-enabled")
void tcp_keep_alive_enabled(int32_t s, void *ret);
IMP("wasi:sockets/tcp@0.2.0", "[resource-drop]tcp-socket") void tcp_drop(int32_t s);
IMP("wasi:sockets/udp-create-socket@0.2.0", "create-udp-socket")
void create_udp_socket(int32_t family, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[method]udp-socket.start-bind")
void udp_start_bind(int32_t s, int32_t net, ADDR4_PARAMS, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[method]udp-socket.finish-bind")
void udp_finish_bind(int32_t s, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[method]udp-socket.stream")
void udp_stream(int32_t s, int32_t some, ADDR4_PARAMS, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[method]udp-socket.local-address")
void udp_local_address(int32_t s, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[resource-drop]udp-socket") void udp_drop(int32_t s);
IMP("wasi:sockets/udp@0.2.0", "[method]incoming-datagram-stream.receive")
void udp_receive(int32_t s, int64_t max, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[method]incoming-datagram-stream.subscribe")
int32_t udp_in_subscribe(int32_t s);
IMP("wasi:sockets/udp@0.2.0", "[resource-drop]incoming-datagram-stream")
void udp_in_drop(int32_t s);
IMP("wasi:sockets/udp@0.2.0", "[method]outgoing-datagram-stream.check-send")
void udp_check_send(int32_t s, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[method]outgoing-datagram-stream.send")
void udp_send(int32_t s, const void *list, int32_t n, void *ret);
IMP("wasi:sockets/udp@0.2.0", "[resource-drop]outgoing-datagram-stream")
void udp_out_drop(int32_t s);

/* wasi:http */
IMP("wasi:http/types@0.2.0", "[constructor]fields") int32_t fields_new(void);
IMP("wasi:http/types@0.2.0", "[static]fields.from-list")
void fields_from_list(const void *list, int32_t n, void *ret);
IMP("wasi:http/types@0.2.0", "[method]fields.append")
void fields_append(int32_t f, const char *n, int32_t nl, const void *v, int32_t vl, void *ret);
IMP("wasi:http/types@0.2.0", "[method]fields.set")
void fields_set(int32_t f, const char *n, int32_t nl, const void *list, int32_t count, void *ret);
IMP("wasi:http/types@0.2.0", "[method]fields.get")
void fields_get(int32_t f, const char *n, int32_t nl, void *ret);
IMP("wasi:http/types@0.2.0", "[method]fields.has")
int32_t fields_has(int32_t f, const char *n, int32_t nl);
IMP("wasi:http/types@0.2.0", "[method]fields.delete")
void fields_delete(int32_t f, const char *n, int32_t nl, void *ret);
IMP("wasi:http/types@0.2.0", "[method]fields.entries") void fields_entries(int32_t f, void *ret);
IMP("wasi:http/types@0.2.0", "[method]fields.clone") int32_t fields_clone(int32_t f);
IMP("wasi:http/types@0.2.0", "[resource-drop]fields") void fields_drop(int32_t f);
IMP("wasi:http/types@0.2.0", "[constructor]outgoing-request")
int32_t outgoing_request_new(int32_t headers);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.set-method")
int32_t outgoing_request_set_method(int32_t r, int32_t tag, const char *p, int32_t n);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.set-scheme")
int32_t outgoing_request_set_scheme(int32_t r, int32_t some, int32_t tag, const char *p, int32_t n);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.set-authority")
int32_t outgoing_request_set_authority(int32_t r, int32_t some, const char *p, int32_t n);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.set-path-with-query")
int32_t outgoing_request_set_path_with_query(int32_t r, int32_t some, const char *p, int32_t n);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.path-with-query")
void outgoing_request_path_with_query(int32_t r, void *ret);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.method")
void outgoing_request_method(int32_t r, void *ret);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.headers")
int32_t outgoing_request_headers(int32_t r);
IMP("wasi:http/types@0.2.0", "[method]outgoing-request.body")
void outgoing_request_body(int32_t r, void *ret);
IMP("wasi:http/types@0.2.0", "[resource-drop]outgoing-request")
void outgoing_request_drop(int32_t r);
IMP("wasi:http/types@0.2.0", "[method]outgoing-body.write")
void outgoing_body_write(int32_t b, void *ret);
IMP("wasi:http/types@0.2.0", "[static]outgoing-body.finish")
void outgoing_body_finish(int32_t b, int32_t some, int32_t trailers, void *ret);
IMP("wasi:http/types@0.2.0", "[constructor]request-options") int32_t request_options_new(void);
IMP("wasi:http/types@0.2.0", "[method]request-options.set-connect-timeout")
int32_t request_options_set_connect_timeout(int32_t o, int32_t some, int64_t ns);
IMP("wasi:http/types@0.2.0", "[method]request-options.set-between-bytes-timeout")
int32_t request_options_set_between_bytes_timeout(int32_t o, int32_t some, int64_t ns);
IMP("wasi:http/outgoing-handler@0.2.0", "handle")
void http_handle(int32_t req, int32_t some, int32_t opts, void *ret);
IMP("wasi:http/types@0.2.0", "[method]future-incoming-response.subscribe")
int32_t future_response_subscribe(int32_t f);
IMP("wasi:http/types@0.2.0", "[method]future-incoming-response.get")
void future_response_get(int32_t f, void *ret);
IMP("wasi:http/types@0.2.0", "[resource-drop]future-incoming-response")
void future_response_drop(int32_t f);
IMP("wasi:http/types@0.2.0", "[method]incoming-response.status")
int32_t incoming_response_status(int32_t r);
IMP("wasi:http/types@0.2.0", "[method]incoming-response.headers")
int32_t incoming_response_headers(int32_t r);
IMP("wasi:http/types@0.2.0", "[method]incoming-response.consume")
void incoming_response_consume(int32_t r, void *ret);
IMP("wasi:http/types@0.2.0", "[resource-drop]incoming-response")
void incoming_response_drop(int32_t r);
IMP("wasi:http/types@0.2.0", "[method]incoming-body.stream")
void incoming_body_stream(int32_t b, void *ret);
IMP("wasi:http/types@0.2.0", "[static]incoming-body.finish")
int32_t incoming_body_finish(int32_t b);
IMP("wasi:http/types@0.2.0", "[resource-drop]incoming-body") void incoming_body_drop(int32_t b);
IMP("wasi:http/types@0.2.0", "[method]future-trailers.get")
void future_trailers_get(int32_t f, void *ret);
IMP("wasi:http/types@0.2.0", "[resource-drop]future-trailers") void future_trailers_drop(int32_t f);
IMP("wasi:http/types@0.2.0", "http-error-code") void http_error_code(int32_t err, void *ret);

/* Return areas, as unions of the layouts used. */
typedef struct {
    uint8_t tag;
    uint8_t pad[3];
    uint32_t a, b, c;
} ret16_t;

typedef struct __attribute__((aligned(8))) {
    uint8_t bytes[64];
} ret64_t;

#endif

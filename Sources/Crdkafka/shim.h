#ifndef METERD_CRDKAFKA_SHIM_H
#define METERD_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#ifdef __GLIBC__
#include <malloc.h> /* mallopt: see MallocArenas.swift and MallocTrim.swift */
#include <gnu/libc-version.h> /* gnu_get_libc_version: see MallocHugePages.swift */
#include <sys/auxv.h> /* getauxval(AT_SECURE): see MallocHugePages.swift */
#endif

/* Swift cannot call C variadic functions; these non-variadic wrappers are the
 * only C code meterd has. */

/** Produces one copied message. `headers` (may be NULL) is owned by librdkafka
 *  on success and must be destroyed by the caller on failure. */
static inline rd_kafka_resp_err_t meterd_produce(rd_kafka_t *rk,
                                                 const char *topic,
                                                 int32_t partition,
                                                 const void *key, size_t key_len,
                                                 const void *value, size_t value_len,
                                                 rd_kafka_headers_t *headers,
                                                 int64_t timestamp_ms,
                                                 void *msg_opaque) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                             RD_KAFKA_V_OPAQUE(msg_opaque),
                             RD_KAFKA_V_END);
}

/** Pushes `count` copies of one error for `api_key` requests, cluster-wide. */
static inline void meterd_mock_push_request_errors(rd_kafka_mock_cluster_t *mcluster,
                                                   int16_t api_key,
                                                   size_t count,
                                                   rd_kafka_resp_err_t err) {
    rd_kafka_resp_err_t errors[64];
    if (count > 64) count = 64;
    for (size_t i = 0; i < count; i++) errors[i] = err;
    rd_kafka_mock_push_request_errors_array(mcluster, api_key, count, errors);
}

/** Pushes one error (with an artificial round-trip time) for `api_key`
 *  requests served by one broker. */
static inline rd_kafka_resp_err_t meterd_mock_broker_push_request_error(rd_kafka_mock_cluster_t *mcluster,
                                                                        int32_t broker_id,
                                                                        int16_t api_key,
                                                                        rd_kafka_resp_err_t err,
                                                                        int rtt_ms) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}

#endif

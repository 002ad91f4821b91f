#ifndef METERD_CRDKAFKA_SHIM_H
#define METERD_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#ifdef __GLIBC__
#include <malloc.h> /* mallopt: see MallocArenas.swift and MallocTrim.swift */
#include <gnu/libc-version.h> /* gnu_get_libc_version: see MallocHugePages.swift */
#include <sys/auxv.h> /* getauxval(AT_SECURE): see MallocHugePages.swift */
#endif

/* Swift cannot call C variadic functions (rd_kafka_producev, prctl): the
 * non-variadic wrappers below, the main thread's priority interceptor at the
 * end and the SIMD kernels (CMeterdSIMD) are the only C code meterd has. */

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

#ifdef __linux__
#include <sys/prctl.h>

/** Names the calling thread (at most 15 bytes are kept), as `ps -L`,
 *  `top -H` and `perf` show it. prctl is variadic, so Swift cannot call it. */
static inline void meterd_name_current_thread(const char *name) {
    (void)prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}
#endif

/* librdkafka's main thread ("rdk:main") waits for its next timer in whole
 * milliseconds (rd_kafka_thread_main: sleeptime / 1000), so a timer due
 * within a millisecond -- a transactional producer arms one, 1 ms ahead,
 * for every AddPartitionsToTxn round -- is waited for by polling the clock.
 * These interceptors raise that thread's nice value, so on a busy machine
 * the polling yields the CPU to threads with work; the thread still runs
 * whenever a CPU is free. See `KafkaConfiguration.mainThreadNice`. */
#ifdef __linux__
#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static rd_kafka_resp_err_t meterd_main_thread_started(rd_kafka_t *rk, rd_kafka_thread_type_t type,
                                                      const char *name, void *opaque) {
    (void)rk; (void)name;
    /* A thread starts with its creator's nice value, and the main thread
     * creates the coordinators' broker threads: those get the process's. */
    errno = 0;
    const int base = getpriority(PRIO_PROCESS, (id_t)getpid());
    if (base == -1 && errno != 0) return RD_KAFKA_RESP_ERR_NO_ERROR;
    int target = base;
    if (type == RD_KAFKA_THREAD_MAIN) {
        target = base + (int)(intptr_t)opaque;
        if (target > 19) target = 19;
    }
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), target);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t meterd_client_created(rd_kafka_t *rk, const rd_kafka_conf_t *conf, void *opaque,
                                                 char *errstr, size_t errstr_size) {
    (void)conf; (void)errstr; (void)errstr_size;
    return rd_kafka_interceptor_add_on_thread_start(rk, "meterd.main-thread-nice", meterd_main_thread_started, opaque);
}

/** Makes every client created from `conf` raise its main thread's nice
 *  value by `increment` (capped at 19) when the thread starts. */
static inline rd_kafka_resp_err_t meterd_raise_main_thread_nice(rd_kafka_conf_t *conf, int increment) {
    return rd_kafka_conf_interceptor_add_on_new(conf, "meterd.main-thread-nice", meterd_client_created,
                                                (void *)(intptr_t)increment);
}
#endif

#endif

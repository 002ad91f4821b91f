# Judges a soak run from its samples.csv (written by scripts/soak.sh) and
# prints, in Markdown: the figures at a few sample points, the steady-state
# statistics, one line per check, and the verdict as the last line
# ("**Verdict: PASS**" or "**Verdict: FAIL** …").
#
# Variables (-v): warmup (s), tolerance (%), rate (events/s), max_aborts,
# table_every (s between table rows), run_status and gen_status (exit
# status of meterd run and meterd generate after SIGTERM, or "timeout").
# Steady state = samples at or after the warm-up. A check that cannot be
# judged (too few samples) fails: a soak that proves nothing is not a pass.

BEGIN { FS = ","; n = 0 }

NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }

{
    n++
    for (name in col) v[n, name] = $(col[name])
}

function val(i, name) { return v[i, name] }
function has(i, name) { return v[i, name] != "" }
function mib(kib) { return sprintf("%.1f", kib / 1024) }
function pct(x, mean) { return mean == 0 ? 0 : (x - mean) * 100 / mean }
function commas(x,   s, out) {
    s = sprintf("%.0f", x); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    return s out
}

function check(ok, name, detail) {
    printf("- %s %s: %s\n", ok ? "PASS" : "**FAIL**", name, detail)
    if (!ok) { failed++; failures = failures (failures == "" ? "" : "; ") name }
}

# Flatness of one column over the steady samples: max and min within
# tolerance % of the mean.
function flat(name, label, unit_kib,   i, count, sum, lo, hi, mean, show) {
    count = 0; sum = 0
    for (i = first; i <= n; i++) {
        if (!has(i, name)) continue
        x = val(i, name) + 0
        if (count == 0 || x < lo) lo = x
        if (count == 0 || x > hi) hi = x
        sum += x; count++
    }
    if (count < 3) { check(0, label " flat", "fewer than 3 steady samples"); return }
    mean = sum / count
    if (unit_kib) show = sprintf("mean %s MiB, min %s (%+.1f%%), max %s (%+.1f%%)", mib(mean), mib(lo), pct(lo, mean), mib(hi), pct(hi, mean))
    else show = sprintf("mean %s, min %s (%+.1f%%), max %s (%+.1f%%)", commas(mean), commas(lo), pct(lo, mean), commas(hi), pct(hi, mean))
    check(hi <= mean * (1 + tolerance / 100) && lo >= mean * (1 - tolerance / 100), label " flat (within " tolerance "% of the mean)", show)
}

function table(   i, last_t, last_in, rate_in, t) {
    print "| t (s) | meterd RSS (MiB) | open windows | state (MiB) | lag (records) | input read/s | records out | commits | mean commit (ms) | aborts | dead letters | load avg |"
    print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    last_t = ""; last_in = ""; last_cs = ""; last_cc = ""
    for (i = 1; i <= n; i++) {
        t = val(i, "elapsed_s") + 0
        if (i != 1 && i != n && t % table_every != 0) continue
        rate_in = "–"; commit_ms = "–"
        if (last_t != "" && t > last_t && has(i, "input_in") && last_in != "") rate_in = commas((val(i, "input_in") - last_in) / (t - last_t))
        if (last_cc != "" && has(i, "commit_count") && val(i, "commit_count") > last_cc)
            commit_ms = sprintf("%.0f", (val(i, "commit_seconds_sum") - last_cs) * 1000 / (val(i, "commit_count") - last_cc))
        if (!has(i, "open_windows")) {
            printf("| %d | %s | (no metrics) | | | | | | | | | %s |\n", t, has(i, "rss_kib") ? mib(val(i, "rss_kib")) : "–", val(i, "load1"))
            continue
        }
        printf("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t, mib(val(i, "rss_kib")),
            commas(val(i, "open_windows")), mib(val(i, "state_bytes") / 1024), commas(val(i, "lag")), rate_in,
            commas(val(i, "records_out")), commas(val(i, "commits")), commit_ms, val(i, "aborts"), commas(val(i, "dead_letters")), val(i, "load1"))
        last_t = t; last_in = val(i, "input_in"); last_cs = val(i, "commit_seconds_sum"); last_cc = val(i, "commit_count")
    }
}

END {
    failed = 0; failures = ""
    first = n + 1
    for (i = 1; i <= n; i++) if (val(i, "elapsed_s") + 0 >= warmup) { first = i; break }
    steady = n - first + 1

    table()
    print ""
    printf("Steady state: %d samples from t = %d s (warm-up %d s) to t = %d s.\n\n", steady, first <= n ? val(first, "elapsed_s") : 0, warmup, n ? val(n, "elapsed_s") : 0)

    flat("rss_kib", "meterd RSS", 1)
    flat("open_windows", "open windows", 0)

    # Lag: the mean of the last third of the steady samples may exceed the
    # first third's by at most one second of traffic, and no sample may be
    # 30 s of traffic behind (the embedded broker keeps well under a minute).
    third = int(steady / 3)
    if (third < 1) check(0, "lag does not grow", "fewer than 3 steady samples")
    else {
        a = 0; b = 0; ca = 0; cb = 0; peak = 0
        for (i = first; i <= n; i++) {
            if (!has(i, "lag")) continue
            x = val(i, "lag") + 0; if (x > peak) peak = x
            if (i < first + third) { a += x; ca++ }
            if (i > n - third) { b += x; cb++ }
        }
        a = ca ? a / ca : 0; b = cb ? b / cb : 0
        check(ca > 0 && cb > 0 && b <= a + rate && peak <= 30 * rate, "lag does not grow",
            sprintf("mean of the first third %s, of the last third %s, peak %s records (bounds: +%s, peak %s)",
                commas(a), commas(b), commas(peak), commas(rate), commas(30 * rate)))
    }

    # Never restarted: the process stayed alive, counters never went back,
    # and no rebalance re-assigned or restored partitions once it was ready.
    dead = 0; back = 0; moved = 0; ready_at = 0; missing = 0
    for (i = 1; i <= n; i++) {
        if (val(i, "alive") != 1) dead++
        if (!has(i, "records_in")) { missing++; continue }
        if (prev_in != "" && val(i, "records_in") + 0 < prev_in) back++
        prev_in = val(i, "records_in") + 0
        # The first published counters can show ready before the assignment.
        if (!ready_at && val(i, "ready") == 1 && val(i, "assigned") > 0) { ready_at = i; restored0 = val(i, "restored_partitions"); assigned0 = val(i, "assigned") }
        else if (ready_at && (val(i, "restored_partitions") != restored0 || val(i, "assigned") != assigned0 || val(i, "ready") != 1)) moved++
    }
    check(dead == 0 && back == 0 && moved == 0 && ready_at > 0 && missing <= 2, "processor never restarted",
        sprintf("dead samples %d, counter resets %d, samples after a rebalance or not ready %d, failed scrapes %d", dead, back, moved, missing))

    last = n
    while (last > 0 && !has(last, "aborts")) last--
    if (last == 0) { check(0, "metrics", "no sample had metrics") }
    else {
        check(val(last, "aborts") + 0 <= max_aborts, "aborts", sprintf("%d transactions aborted of %s committed (at most %d allowed)", val(last, "aborts"), commas(val(last, "commits")), max_aborts))
        check(val(last, "data_loss") + 0 == 0, "no data loss", sprintf("meterd_data_loss_total = %d", val(last, "data_loss")))
    }

    check(run_status == "0" && gen_status == "0", "clean stop",
        sprintf("exit status after SIGTERM: meterd run %s, meterd generate %s", run_status, gen_status))

    # Informational figures (not part of the verdict).
    info_state = ""; sc = 0; ss = 0
    for (i = first; i <= n; i++) if (has(i, "state_bytes")) {
        x = val(i, "state_bytes") + 0; ss += x
        if (sc == 0 || x < slo) slo = x
        if (sc == 0 || x > shi) shi = x
        sc++
    }
    if (sc > 0) printf("- info: aggregation state (sum of meterd_state_bytes) mean %s MiB, min %s, max %s\n", mib(ss / sc / 1024), mib(slo / 1024), mib(shi / 1024))
    # Least-squares slope of RSS over the steady samples: a slow leak shows
    # here long before it breaks the flatness bound.
    k = 0; sx = 0; sy = 0; sxx = 0; sxy = 0
    for (i = first; i <= n; i++) if (has(i, "rss_kib")) {
        x = val(i, "elapsed_s") / 60; y = val(i, "rss_kib") / 1024
        k++; sx += x; sy += y; sxx += x * x; sxy += x * y
    }
    if (k >= 3 && k * sxx - sx * sx > 0)
        printf("- info: meterd RSS trend over the steady samples %+.2f MiB per minute (least squares)\n", (k * sxy - sx * sy) / (k * sxx - sx * sx))
    if (has(first, "threads") && has(n, "threads"))
        printf("- info: meterd threads %s at the start of the steady state, %s at the end; RssAnon %s → %s MiB\n",
            val(first, "threads"), val(n, "threads"), mib(val(first, "rss_anon_kib")), mib(val(n, "rss_anon_kib")))
    bc = 0; bs = 0
    for (i = first; i <= n; i++) if (has(i, "broker_rss_kib")) { bs += val(i, "broker_rss_kib"); bc++ }
    if (bc > 0) printf("- info: embedded broker RSS mean %s MiB over the steady samples\n", mib(bs / bc))
    if (steady >= 2 && has(first, "input_in") && has(last, "input_in") && val(last, "elapsed_s") > val(first, "elapsed_s"))
        printf("- info: input read in steady state %s events/s (target rate %s)\n",
            commas((val(last, "input_in") - val(first, "input_in")) / (val(last, "elapsed_s") - val(first, "elapsed_s"))), commas(rate))

    print ""
    if (failed == 0) print "**Verdict: PASS**"
    else print "**Verdict: FAIL** (" failures ")"
}
